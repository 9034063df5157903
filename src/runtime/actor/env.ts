import type { Clock } from "../clock.js";
import type { EventStream } from "./events.js";
import type { ActorStats } from "./types.js";

/** What every cell of one system shares. Built once by ActorSystem from validated options. */
export interface RuntimeEnv {
  readonly clock: Clock;
  readonly events: EventStream;
  /** Source of backoff jitter; injectable so tests see exact delays. */
  readonly random: () => number;
  readonly defaultMailboxCapacity: number;
  readonly defaultAskTimeoutMs: number;
  /** Messages an actor handles in one turn before yielding to the event loop (I/O, other timers). */
  readonly throughput: number;
  /** Every live cell except the root guardian, in creation order. */
  readonly live: Set<{ stats(): ActorStats }>;
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as { then?: unknown }).then === "function";
}
