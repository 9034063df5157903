/**
 * Is a partition stuck? A partition is stalled when log input is waiting for it (messages the
 * server still has for its consumer, delivered and unacknowledged, or in entity mailboxes and not
 * handled yet) and none of its progress counters (deliveries taken, messages handled, ack floor)
 * moved for `stallAfterMs`. Pure: observations and the time come in, a verdict goes out.
 */

export interface PartitionObservation {
  /** Counters that only grow while the partition moves: deliveries taken from pulls, messages handled, ack floor. */
  progress: readonly number[];
  /** Log messages known to be waiting: local unhandled, plus the server's num_pending + num_ack_pending when asked. */
  backlog: number;
}

export interface StallWatchState {
  progress: readonly number[];
  /** When the partition last moved (or last had nothing to do, or was last restarted). */
  since: number;
  stalled: boolean;
}

export type StallVerdict =
  | { kind: "moving" }
  | { kind: "idle" }
  /** Backlog and no progress, for less than stallAfterMs so far. */
  | { kind: "waiting"; forMs: number }
  /** `newly`: this observation crossed the limit (report and restart once per episode). */
  | { kind: "stalled"; forMs: number; newly: boolean };

export function watchStall(
  prev: StallWatchState | undefined,
  obs: PartitionObservation,
  now: number,
  stallAfterMs: number,
): { state: StallWatchState; verdict: StallVerdict } {
  if (prev === undefined || !sameProgress(prev.progress, obs.progress)) {
    return { state: { progress: obs.progress, since: now, stalled: false }, verdict: { kind: "moving" } };
  }
  if (obs.backlog <= 0) return { state: { progress: obs.progress, since: now, stalled: false }, verdict: { kind: "idle" } };
  const forMs = now - prev.since;
  if (forMs < stallAfterMs) return { state: prev, verdict: { kind: "waiting", forMs } };
  return { state: { ...prev, stalled: true }, verdict: { kind: "stalled", forMs, newly: !prev.stalled } };
}

/** After a restart the partition gets a whole new period before it counts as stalled again. */
export function restartedAt(state: StallWatchState, now: number): StallWatchState {
  return { progress: state.progress, since: now, stalled: false };
}

export function sameProgress(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
