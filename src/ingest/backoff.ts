import type { BackoffPolicy } from "../runtime/backoff.js";

/** Reconnect and REST-retry waits (`backoffDelay` in src/runtime/backoff.ts): 500 ms × 2ⁿ, cap 30 s, minus 0..50 % jitter so many clients do not reconnect in step. */
export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };
