/**
 * The watcher's behaviour as a pure transition (state, message, now) → effects, as in the
 * original: per symbol, "hunt" checks every 10 s until the symbol has enough silver rows and its
 * first league is trained, then "patrol" retrains every 5 minutes. Admin `train` runs a round at
 * once. One round per symbol at a time; timers are effects the shell arms on the actor's clock.
 *
 * Hunting is planned for all symbols at once: every hunt interval a `plan` message carries the
 * symbols and one survey of their row counts; symbols short of rows are skipped without asking
 * the trainer, and the plan yields ONE summary (counts per outcome and skip reason) instead of a
 * line per symbol. Patrol rounds keep their own per-symbol timers.
 */
import type { MlopsEvent, TrainingTrigger, WatcherMode } from "../../mlops/events.js";
import { assertNever } from "../../runtime/assert-never.js";

export interface WatcherSettings {
  /** Hunt check period. Default 10 000 ms. */
  huntIntervalMs: number;
  /** Patrol retraining period. Default 300 000 ms. */
  patrolIntervalMs: number;
}

export const DEFAULT_WATCHER_SETTINGS: WatcherSettings = { huntIntervalMs: 10_000, patrolIntervalMs: 300_000 };

/** What a finished round says, reduced to what the watcher and `admin status` need. */
export interface RoundResult {
  status: "insufficient-data" | "trained" | "failed";
  rows: number;
  promoted: string | null;
  champion: string | null;
  detail: string;
  at: number;
}

export interface SymbolWatch {
  mode: WatcherMode;
  /** The trigger of the round in flight, or null. */
  running: TrainingTrigger | null;
  nextRunAt: number | null;
  rounds: number;
  last: RoundResult | null;
}

/** Why a plan did not start a symbol's round. */
export type SkipReason = "insufficient-data" | "running" | "patrol-waiting";

/** One line per plan: what it decided, plus the rounds that ended since the previous plan. */
export interface RoundSummary {
  symbols: number;
  started: number;
  trained: number;
  failed: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** Symbols no longer listed (or now trained by another ml node) whose state was dropped. */
  evicted: number;
  /** Time the plan's inputs (symbol list and survey) took. */
  durationMs: number;
}

export interface WatcherState {
  settings: WatcherSettings;
  symbols: Record<string, SymbolWatch>;
  /** When the next plan is due (hunting symbols' next check). */
  nextPlanAt: number | null;
  /** Rounds ended since the last summary. */
  ended: { trained: number; failed: number; insufficient: number };
}

export type WatcherMessage =
  /**
   * Every hunt interval: the symbols this node trains (configured or found in silver; others
   * are forgotten), each one's training rows from one survey (`null`: unknown, ask the
   * trainer), the rows a league needs, and the symbols with a champion (their first round
   * runs whatever the rows, so they switch to patrol).
   */
  | { type: "plan"; symbols: readonly string[]; rows: ReadonlyMap<string, number> | null; requiredRows: number; champions: ReadonlySet<string>; durationMs: number }
  /** Timer: the symbol's next hunt check or patrol round is due. */
  | { type: "due"; symbol: string }
  /** Admin: train now (the reply carries the round's promise, see the shell). */
  | { type: "train-now"; symbol: string }
  /** A round ended (sent by the shell when the trainer's promise settles). */
  | { type: "finished"; symbol: string; trigger: TrainingTrigger; result: RoundResult }
  | { type: "status" };

export type WatcherEffect =
  | { type: "start-round"; symbol: string; trigger: TrainingTrigger }
  | { type: "schedule"; symbol: string; delayMs: number }
  | { type: "emit"; event: MlopsEvent }
  | { type: "summary"; summary: RoundSummary }
  /** The symbol's state was dropped: cancel its timer. */
  | { type: "forget"; symbol: string }
  /** Admin asked while a round is already running: join it. */
  | { type: "join-round"; symbol: string };

export function createWatcherState(settings: Partial<WatcherSettings> = {}): WatcherState {
  const s = { ...DEFAULT_WATCHER_SETTINGS, ...settings };
  for (const [name, v] of Object.entries(s)) if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number of ms, got ${v}`);
  return { settings: s, symbols: {}, nextPlanAt: null, ended: { trained: 0, failed: 0, insufficient: 0 } };
}

function watchOf(state: WatcherState, symbol: string): SymbolWatch {
  return (state.symbols[symbol] ??= { mode: "hunt", running: null, nextRunAt: null, rounds: 0, last: null });
}

export function watcherTransition(state: WatcherState, msg: WatcherMessage, now: number): WatcherEffect[] {
  const effects: WatcherEffect[] = [];
  switch (msg.type) {
    case "plan":
      plan(state, msg, now, effects);
      break;
    case "due": {
      const w = state.symbols[msg.symbol];
      if (w === undefined || w.running !== null) break; // a round in flight reschedules when it ends
      w.running = w.mode;
      w.nextRunAt = null;
      effects.push({ type: "start-round", symbol: msg.symbol, trigger: w.mode });
      break;
    }
    case "train-now": {
      const w = watchOf(state, msg.symbol);
      if (w.running !== null) {
        effects.push({ type: "join-round", symbol: msg.symbol });
        break;
      }
      w.running = "admin";
      w.nextRunAt = null;
      effects.push({ type: "start-round", symbol: msg.symbol, trigger: "admin" });
      break;
    }
    case "finished": {
      const w = watchOf(state, msg.symbol);
      w.running = null;
      w.rounds++;
      w.last = msg.result;
      if (msg.result.status === "trained") state.ended.trained++;
      else if (msg.result.status === "failed") state.ended.failed++;
      else state.ended.insufficient++;
      // The first trained league (or an existing champion) ends the hunt.
      if (w.mode === "hunt" && (msg.result.status === "trained" || msg.result.champion !== null)) {
        w.mode = "patrol";
        effects.push({ type: "emit", event: { type: "mode-changed", symbol: msg.symbol, from: "hunt", to: "patrol", at: now } });
      }
      if (w.mode === "hunt") {
        // The next plan checks it again.
        w.nextRunAt = state.nextPlanAt !== null && state.nextPlanAt > now ? state.nextPlanAt : now + state.settings.huntIntervalMs;
        break;
      }
      w.nextRunAt = now + state.settings.patrolIntervalMs;
      effects.push({ type: "schedule", symbol: msg.symbol, delayMs: state.settings.patrolIntervalMs });
      break;
    }
    case "status":
      break;
    default:
      assertNever(msg);
  }
  return effects;
}

function plan(state: WatcherState, msg: Extract<WatcherMessage, { type: "plan" }>, now: number, effects: WatcherEffect[]): void {
  state.nextPlanAt = now + state.settings.huntIntervalMs;
  const listed = new Set(msg.symbols);
  let evicted = 0;
  for (const [symbol, w] of Object.entries(state.symbols)) {
    if (listed.has(symbol) || w.running !== null) continue; // a running round is forgotten by a later plan
    delete state.symbols[symbol];
    effects.push({ type: "forget", symbol });
    evicted++;
  }
  const skipped: Partial<Record<SkipReason, number>> = {};
  const skip = (reason: SkipReason) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  let started = 0;
  for (const symbol of listed) {
    const w = watchOf(state, symbol);
    if (w.running !== null) skip("running");
    else if (w.mode === "patrol") skip("patrol-waiting");
    else {
      const rows = msg.rows === null ? null : (msg.rows.get(symbol) ?? 0);
      if (rows !== null && rows < msg.requiredRows && !msg.champions.has(symbol)) {
        skip("insufficient-data");
        w.last = { status: "insufficient-data", rows, promoted: null, champion: null, detail: `${rows} of ${msg.requiredRows} rows (survey)`, at: now };
        w.nextRunAt = state.nextPlanAt;
        continue;
      }
      w.running = "hunt";
      w.nextRunAt = null;
      started++;
      effects.push({ type: "start-round", symbol, trigger: "hunt" });
    }
  }
  const { trained, failed, insufficient } = state.ended;
  if (insufficient > 0) skipped["insufficient-data"] = (skipped["insufficient-data"] ?? 0) + insufficient;
  state.ended = { trained: 0, failed: 0, insufficient: 0 };
  effects.push({ type: "summary", summary: { symbols: listed.size, started, trained, failed, skipped, evicted, durationMs: msg.durationMs } });
}

/** Plain JSON for `admin status` and the dashboard. */
export function watcherStatus(state: WatcherState): { settings: WatcherSettings; symbols: Record<string, SymbolWatch> } {
  return structuredClone({ settings: state.settings, symbols: state.symbols });
}
