/**
 * The one exponential backoff with jitter: supervisor restarts, market-feed reconnects, lake and
 * serving retries all wait `backoffDelay(attempt, policy)`. Pure given `random`.
 */
import type { Rng } from "./random.js";

export interface BackoffPolicy {
  /** Delay before the first retry (attempt 0), before jitter. */
  initialMs: number;
  /** Upper bound on any delay. */
  maxMs: number;
  /** Growth per further attempt (>= 1). */
  factor: number;
  /** 0..1: the share of the delay that is randomised downwards (0.5 → a delay in [base/2, base]), so many clients do not retry in step. */
  jitter: number;
}

/**
 * Delay before retry number `attempt` (0 for the first): `min(maxMs, initialMs * factor^attempt)`,
 * of which the `jitter` share is randomised downwards, so the result lies in
 * `[base * (1 - jitter), base]` and never exceeds `maxMs`. `random` returns a number in [0, 1)
 * (`seededRandom(seed)` or a constant in tests). Whole milliseconds.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: Rng = Math.random): number {
  const { initialMs, maxMs, factor, jitter } = policy;
  const exponent = Math.max(0, Math.floor(attempt));
  // Grow step by step so a huge attempt count saturates at maxMs instead of overflowing to Infinity/NaN.
  let base = Math.min(initialMs, maxMs);
  for (let i = 0; i < exponent && base < maxMs; i++) base = Math.min(maxMs, base * factor);
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(base - base * jitter * r));
}
