/** Reconnect delays: exponential with a cap, minus random jitter so many clients do not reconnect in step. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  /** 0..1: the share of the delay that is random (0.5 → delay in [base/2, base]). */
  jitter: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 500, maxMs: 30_000, multiplier: 2, jitter: 0.5 };

/** Delay before reconnect attempt `attempt` (0 = first retry). `random` returns [0, 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, attempt));
  return Math.max(0, Math.round(exp * (1 - policy.jitter * random())));
}
