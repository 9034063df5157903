/**
 * The Watcher actor: the shell around `watcherTransition`. It arms the per-symbol timers on the
 * actor's (injected) clock, starts training rounds without blocking its mailbox (a round's end
 * comes back as a `finished` message), answers `status`, and hands admin `train-now` asks the
 * round's promise so the caller can await the outcome. Rounds in flight are aborted when the
 * actor stops or restarts.
 */
import type { Actor, ActorContext, ActorFactory, ActorRef } from "../../runtime/actor/types.js";
import { errorMessage } from "../../mlops/errors.js";
import type { MlopsEventSink, TrainingTrigger } from "../../mlops/events.js";
import type { TrainingOutcome } from "../../mlops/trainer.js";
import { createWatcherState, watcherStatus, watcherTransition, type RoundResult, type RoundSummary, type WatcherMessage, type WatcherSettings, type WatcherState } from "./transition.js";
import { assertNever } from "../../runtime/assert-never.js";

/** One look at all symbols' data, taken once per plan (the lake's file stats, not a read per symbol). */
export interface WatcherSurvey {
  /** Training rows per symbol (a symbol absent has none); its symbols are watched too. */
  rows: ReadonlyMap<string, number>;
  /** Rows a league needs (the trainer's threshold). */
  requiredRows: number;
  /** Symbols that have a champion. */
  champions: ReadonlySet<string>;
}

/** What the watcher needs from the trainer (the real one is `Trainer`). */
export interface RoundRunner {
  train(symbol: string, trigger: TrainingTrigger, signal?: AbortSignal): Promise<TrainingOutcome>;
}

export interface WatcherOptions {
  trainer: RoundRunner;
  /** Symbols to watch (configured ones, plus those in silver when there is no survey; the survey's symbols join them). Polled every hunt interval. */
  symbols: () => Promise<readonly string[]> | readonly string[];
  /** Whether this node trains the symbol (one ml node per symbol in a cluster). Default: all. */
  responsible?: (symbol: string) => boolean;
  /** All symbols' row counts, once per plan. Without it every hunting symbol's round asks the trainer. */
  survey?: () => Promise<WatcherSurvey>;
  settings?: Partial<WatcherSettings>;
  events?: MlopsEventSink;
  /** The plan's one summary line (the component logs it). */
  onRound?: (summary: RoundSummary) => void;
  /**
   * Called after every message with a reader of the status (the component's sync `status()`): the
   * copy is made when someone reads it, not per message (a deep copy of 1,000 symbols per message
   * was ~10 % of a node's CPU).
   */
  onStatus?: (read: () => WatcherStatus) => void;
}

export type WatcherStatus = ReturnType<typeof watcherStatus>;

export type WatcherActorMessage = WatcherMessage | { type: "plan-tick" };
export type WatcherReply = WatcherStatus | { round: Promise<TrainingOutcome> } | undefined;

/** `train-now` through a watcher: the round's outcome (the admin `train` command's dependency). */
export function trainNowVia(watcher: ActorRef<WatcherActorMessage, WatcherReply>): (symbol: string, timeoutMs: number) => Promise<TrainingOutcome> {
  return async (symbol, timeoutMs) => {
    const reply = (await watcher.ask({ type: "train-now", symbol }, { timeoutMs })) as { round: Promise<TrainingOutcome> };
    return reply.round;
  };
}

const PLAN_TIMER = "plan";

export function resultOf(outcome: TrainingOutcome): RoundResult {
  const p = outcome.promotion;
  const detail =
    outcome.status === "insufficient-data"
      ? `${outcome.rows} of ${outcome.minRows} rows`
      : p === null
        ? "no promotion decision"
        : p.promoted
          ? `promoted ${p.version} (${p.kind})`
          : `not promoted: ${p.reason}`;
  const demoted = outcome.review?.demoted ? `demoted ${outcome.review.version} (${outcome.review.review.detail}); ` : "";
  return { status: outcome.status, rows: outcome.rows, promoted: p?.promoted ? p.version : null, champion: outcome.champion, detail: demoted + detail, at: outcome.finishedAt };
}

export function watcherActor(options: WatcherOptions): ActorFactory<WatcherActorMessage, WatcherReply> {
  return () => {
    const state: WatcherState = createWatcherState(options.settings);
    const rounds = new Map<string, { promise: Promise<TrainingOutcome>; abort: AbortController }>();
    const emit = options.events ?? (() => {});
    const responsible = options.responsible ?? (() => true);

    const startRound = (ctx: ActorContext<WatcherActorMessage>, symbol: string, trigger: TrainingTrigger) => {
      const abort = new AbortController();
      const promise = options.trainer.train(symbol, trigger, abort.signal);
      rounds.set(symbol, { promise, abort });
      promise.then(
        (outcome) => resultOf(outcome),
        (err: unknown): RoundResult => {
          // A round the watcher cancelled itself (it is stopping) did not fail: nothing to report.
          if (!abort.signal.aborted) emit({ type: "training-failed", symbol, trigger, error: errorMessage(err), at: ctx.clock.now() });
          return { status: "failed", rows: 0, promoted: null, champion: null, detail: errorMessage(err), at: ctx.clock.now() };
        },
      ).then((result) => {
        ctx.self.tryTell({ type: "finished", symbol, trigger, result });
      });
    };

    const abortAll = () => {
      for (const r of rounds.values()) r.abort.abort(new Error("watcher stopped"));
      rounds.clear();
    };

    const actor: Actor<WatcherActorMessage, WatcherReply> = {
      preStart(ctx) {
        ctx.self.tryTell({ type: "plan-tick" });
        ctx.timers.startPeriodic(PLAN_TIMER, { type: "plan-tick" }, state.settings.huntIntervalMs);
      },
      async receive(msg, ctx) {
        if (msg.type === "plan-tick") {
          const t0 = performance.now();
          const [symbols, survey] = await Promise.all([options.symbols(), options.survey?.() ?? null]);
          msg = {
            type: "plan",
            symbols: [...new Set([...symbols, ...(survey?.rows.keys() ?? [])])].filter(responsible),
            rows: survey?.rows ?? null,
            requiredRows: survey?.requiredRows ?? 0,
            champions: survey?.champions ?? new Set(),
            durationMs: Math.round(performance.now() - t0),
          };
        }
        if (msg.type === "due" && !responsible(msg.symbol)) {
          // Another ml node trains it now; look again after a hunt interval.
          ctx.timers.startSingle(`due:${msg.symbol}`, msg, state.settings.huntIntervalMs);
          return undefined;
        }
        // Kept until now so an admin `train` arriving in between can still join the round.
        if (msg.type === "finished") rounds.delete(msg.symbol);
        let reply: WatcherReply;
        for (const e of watcherTransition(state, msg, ctx.clock.now())) {
          switch (e.type) {
            case "start-round":
              startRound(ctx, e.symbol, e.trigger);
              ctx.timers.cancel(`due:${e.symbol}`);
              if (msg.type === "train-now") reply = { round: rounds.get(e.symbol)!.promise };
              break;
            case "join-round":
              reply = { round: rounds.get(e.symbol)?.promise ?? Promise.reject(new Error(`no round of ${e.symbol} in flight`)) };
              break;
            case "schedule":
              ctx.timers.startSingle(`due:${e.symbol}`, { type: "due", symbol: e.symbol }, e.delayMs);
              break;
            case "emit":
              emit(e.event);
              break;
            case "summary":
              options.onRound?.(e.summary);
              break;
            case "forget":
              ctx.timers.cancel(`due:${e.symbol}`);
              break;
            default:
              assertNever(e, "watcher effect");
          }
        }
        options.onStatus?.(() => watcherStatus(state));
        if (msg.type === "status") reply = watcherStatus(state);
        return reply;
      },
      preRestart: abortAll,
      postStop: abortAll,
    };
    return actor;
  };
}
