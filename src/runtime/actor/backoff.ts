import type { BackoffOptions } from "./types.js";

/**
 * Delay before restart number `attempt` (0 for the first restart after a quiet period):
 * `min(maxMs, minMs * factor^attempt)`, of which the `jitter` share is randomised downwards,
 * so the result lies in `[base * (1 - jitter), base]` and never exceeds `maxMs`.
 * `random` returns a number in [0, 1); pass a constant in tests. Whole milliseconds.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const { minMs, maxMs, factor, jitter } = options;
  const exponent = Math.max(0, Math.floor(attempt));
  // Grow step by step so a huge attempt count saturates at maxMs instead of overflowing to Infinity/NaN.
  let base = Math.min(minMs, maxMs);
  for (let i = 0; i < exponent && base < maxMs; i++) base = Math.min(maxMs, base * factor);
  const r = Math.min(1, Math.max(0, random()));
  return Math.max(0, Math.round(base - base * jitter * r));
}
