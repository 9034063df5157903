/**
 * How the shutdown bound (SHUTDOWN_TIMEOUT) is shared out: each phase ends at a fixed fraction of
 * it, so time a phase did not use rolls over to the next one, and the last tenth is kept for the
 * summary and the exit. Within a phase a step may use the phase's remaining time, less a reserve
 * for each step still to come (half a fair share each), so one step that hangs cannot take every
 * later step's time. Pure: times in, deadlines out.
 */
/** The phases of a graceful shutdown, in order (shutdown.ts runs them). */
export const SHUTDOWN_PHASES = ["stop-intake", "drain", "flush", "release", "close"] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

/** Where each phase must be over, as a fraction of the bound (cumulative). */
export const PHASE_ENDS: Readonly<Record<ShutdownPhase, number>> = {
  "stop-intake": 0.2,
  drain: 0.55,
  flush: 0.75,
  release: 0.8,
  close: 0.9,
};

const PHASE_STARTS: Readonly<Record<ShutdownPhase, number>> = {
  "stop-intake": 0,
  drain: PHASE_ENDS["stop-intake"],
  flush: PHASE_ENDS.drain,
  release: PHASE_ENDS.flush,
  close: PHASE_ENDS.release,
};

/** A step never gets less than this, even when earlier ones overran (it may still finish at once). */
export const MIN_STEP_MS = 50;

/** The phase's own share of the bound, in ms (what a step inside it can count on when nothing overran). */
export function phaseShareMs(totalMs: number, phase: ShutdownPhase): number {
  return Math.round((PHASE_ENDS[phase] - PHASE_STARTS[phase]) * totalMs);
}

/**
 * Milliseconds a step may run. `elapsedMs`: since shutdown began; `step`: its place among the
 * `of` steps of its phase (0-based, in running order).
 */
export function stepBudgetMs(totalMs: number, phase: ShutdownPhase, elapsedMs: number, step: { index: number; of: number }): number {
  const phaseLeft = PHASE_ENDS[phase] * totalMs - elapsedMs;
  const reservePerLaterStep = phaseShareMs(totalMs, phase) / (2 * Math.max(1, step.of));
  const budget = phaseLeft - reservePerLaterStep * Math.max(0, step.of - step.index - 1);
  return Math.max(MIN_STEP_MS, Math.floor(budget));
}
