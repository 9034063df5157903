/**
 * Supervision as data: a strategy maps a child's failure to a directive, with a restart budget
 * and a backoff schedule. `planRestart` is the pure bookkeeping the runtime applies per child.
 */
import { InvalidActorOption } from "./errors.js";
import type { Directive, SupervisorStrategy } from "./types.js";
import { assertNever } from "../assert-never.js";
import { backoffDelay, type BackoffPolicy } from "../backoff.js";

export const defaultBackoff: BackoffPolicy = Object.freeze({ initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 });

export interface OneForOneOptions {
  /** Restarts allowed within `withinMs`; one more failure stops the child and escalates. Default 10. */
  maxRestarts?: number;
  /** Length of the restart budget window, and of the quiet period that resets the backoff. Default 60 000. */
  withinMs?: number;
  /** Merged over the default backoff (100 ms .. 30 s, factor 2, jitter 0.2). */
  backoff?: Partial<BackoffPolicy>;
  /** Default: always restart. A throw from `decide` itself escalates. */
  decide?: (error: unknown) => Directive;
}

const restartAlways = (): Directive => "restart";

/** Each failing child is handled on its own (its siblings are untouched). Options are validated here, once. */
export function oneForOne(options: OneForOneOptions = {}): SupervisorStrategy {
  const maxRestarts = options.maxRestarts ?? 10;
  const withinMs = options.withinMs ?? 60_000;
  const backoff: BackoffPolicy = { ...defaultBackoff, ...options.backoff };
  if (!Number.isInteger(maxRestarts) || maxRestarts < 0) throw new InvalidActorOption("maxRestarts", `must be an integer >= 0, got ${maxRestarts}`);
  if (!(withinMs > 0)) throw new InvalidActorOption("withinMs", `must be > 0, got ${withinMs}`);
  if (!(backoff.initialMs >= 0)) throw new InvalidActorOption("backoff.initialMs", `must be >= 0, got ${backoff.initialMs}`);
  if (!(backoff.maxMs >= backoff.initialMs)) throw new InvalidActorOption("backoff.maxMs", `must be >= backoff.initialMs (${backoff.initialMs}), got ${backoff.maxMs}`);
  if (!(backoff.factor >= 1)) throw new InvalidActorOption("backoff.factor", `must be >= 1, got ${backoff.factor}`);
  if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) throw new InvalidActorOption("backoff.jitter", `must be within 0..1, got ${backoff.jitter}`);
  return Object.freeze({ decide: options.decide ?? restartAlways, maxRestarts, withinMs, backoff: Object.freeze(backoff) });
}

/** Restart with backoff 100 ms .. 30 s (factor 2, jitter 0.2), at most 10 restarts per 60 s. */
export const defaultStrategy: SupervisorStrategy = oneForOne();
/** Any failure stops the child. */
export const alwaysStop: SupervisorStrategy = oneForOne({ decide: () => "stop" });
/** Any failure makes the parent fail too; the grandparent decides. */
export const alwaysEscalate: SupervisorStrategy = oneForOne({ decide: () => "escalate" });
/** Any failure is ignored: the child keeps its state and goes on with the next message. */
export const alwaysResume: SupervisorStrategy = oneForOne({ decide: () => "resume" });
/**
 * Restart with backoff 500 ms .. 30 s and no practical budget: for a child that must come back
 * whatever happens (a market feed, a lake writer, the serving consumer), never stopped or escalated.
 */
export const restartForever: SupervisorStrategy = oneForOne({ maxRestarts: 1_000_000, withinMs: 60_000, backoff: { initialMs: 500, maxMs: 30_000 } });

/** What a parent remembers about one child's restarts. */
export interface RestartHistory {
  /** Times of the restarts still inside the budget window. */
  readonly restartTimes: readonly number[];
  /** Restarts since the last quiet period; drives the backoff exponent. */
  readonly consecutive: number;
  readonly lastFailureAt: number | undefined;
}

export const emptyRestartHistory: RestartHistory = Object.freeze({ restartTimes: [], consecutive: 0, lastFailureAt: undefined });

export type RestartPlan =
  | { kind: "restart"; delayMs: number; attempt: number; restartsInWindow: number; history: RestartHistory }
  | { kind: "budget-exhausted"; restartsInWindow: number; history: RestartHistory };

/**
 * Decides whether a failing child may restart now and after how long. More than `maxRestarts`
 * restarts inside `withinMs` exhausts the budget. The backoff attempt counts consecutive restarts
 * and starts again at 0 once a whole window passed without a failure.
 */
export function planRestart(history: RestartHistory, strategy: SupervisorStrategy, now: number, random: () => number): RestartPlan {
  const windowStart = now - strategy.withinMs;
  const recent = history.restartTimes.filter((t) => t > windowStart);
  const quiet = history.lastFailureAt === undefined || now - history.lastFailureAt > strategy.withinMs;
  const attempt = quiet ? 0 : history.consecutive;
  if (recent.length >= strategy.maxRestarts) {
    return { kind: "budget-exhausted", restartsInWindow: recent.length, history: { restartTimes: recent, consecutive: attempt, lastFailureAt: now } };
  }
  const delayMs = backoffDelay(attempt, strategy.backoff, random);
  recent.push(now);
  return {
    kind: "restart",
    delayMs,
    attempt,
    restartsInWindow: recent.length,
    history: { restartTimes: recent, consecutive: attempt + 1, lastFailureAt: now },
  };
}

/** What a parent does about one failure of one child. */
export type SupervisionOutcome =
  | { kind: "resume" }
  | { kind: "stop" }
  | { kind: "escalate" }
  | { kind: "restart"; delayMs: number; restartsInWindow: number; history: RestartHistory }
  | { kind: "budget-exhausted"; restartsInWindow: number; history: RestartHistory };

/**
 * The whole supervision decision as a pure function: the strategy's directive (a throwing
 * `decide` escalates), `resume` turned into `restart` when there is no instance to resume
 * (its factory threw), and the restart budget and backoff applied to the child's history.
 */
export function superviseFailure(
  strategy: SupervisorStrategy,
  error: unknown,
  child: { history: RestartHistory; hasInstance: boolean },
  now: number,
  random: () => number,
): SupervisionOutcome {
  let directive: Directive;
  try {
    directive = strategy.decide(error);
  } catch {
    directive = "escalate";
  }
  if (directive === "resume" && !child.hasInstance) directive = "restart";
  switch (directive) {
    case "resume":
    case "stop":
    case "escalate":
      return { kind: directive };
    case "restart": {
      const plan = planRestart(child.history, strategy, now, random);
      return plan.kind === "restart"
        ? { kind: "restart", delayMs: plan.delayMs, restartsInWindow: plan.restartsInWindow, history: plan.history }
        : { kind: "budget-exhausted", restartsInWindow: plan.restartsInWindow, history: plan.history };
    }
    default:
      return assertNever(directive);
  }
}
