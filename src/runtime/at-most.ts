import { systemClock, type Clock, type TimerHandle } from "./clock.js";

/** Waits for `work` (its failure ignored), but no longer than `ms` on `clock`; what is left of it goes on unawaited. */
export async function atMost(ms: number, work: Promise<unknown> | undefined, clock: Clock = systemClock): Promise<void> {
  let timer: TimerHandle | undefined;
  await Promise.race([work?.catch(() => {}), new Promise<void>((r) => (timer = clock.setTimeout(r, ms)))]);
  timer?.cancel();
}
