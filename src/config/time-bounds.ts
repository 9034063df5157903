/** Time sanity bounds for custom records (CUSTOM_MAX_FUTURE_SKEW, CUSTOM_MIN_EVENT_TIME); the checks are in src/custom/time-bounds.ts. */

export interface TimeBounds {
  /** How far past its receive time a record's event time may lie (ms): clock skew between machines. */
  maxFutureMs: number;
  /** Event times before this (ms since epoch) are refused. */
  minTimeMs: number;
}

/**
 * 5 minutes covers real clock skew (NTP keeps hosts within seconds). 2000-01-01 predates every
 * crypto market and the data a real-time platform is fed, yet admits backfills of this century's
 * stock or sensor history; what lies before it is nearly always a unit or zero-value bug (0,
 * seconds read as ms — 1.7e9 ms is January 1970).
 */
export const DEFAULT_TIME_BOUNDS: TimeBounds = { maxFutureMs: 5 * 60_000, minTimeMs: Date.UTC(2000, 0, 1) };
