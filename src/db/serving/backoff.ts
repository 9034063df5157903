/** Exponential backoff with jitter, as a pure function of the failure count. */
export interface BackoffPolicy {
  /** Delay after the first failure. */
  initialMs: number;
  /** Upper bound on any delay. */
  maxMs: number;
  /** Growth per further failure. */
  factor: number;
  /** Fraction of the delay randomised downwards (0 = none), so many writers don't retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.2 };

/** Delay before the next attempt after `failures` consecutive failures (1 = first failure). */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const raw = Math.min(policy.maxMs, policy.initialMs * policy.factor ** (failures - 1));
  return Math.round(raw * (1 - policy.jitter * random()));
}

export function checkBackoffPolicy(policy: BackoffPolicy): BackoffPolicy {
  if (!(policy.initialMs > 0)) throw new RangeError(`backoff.initialMs must be > 0 (got ${policy.initialMs})`);
  if (!(policy.maxMs >= policy.initialMs)) throw new RangeError(`backoff.maxMs must be >= initialMs (got ${policy.maxMs})`);
  if (!(policy.factor >= 1)) throw new RangeError(`backoff.factor must be >= 1 (got ${policy.factor})`);
  if (!(policy.jitter >= 0 && policy.jitter < 1)) throw new RangeError(`backoff.jitter must be in [0, 1) (got ${policy.jitter})`);
  return policy;
}
