import { systemClock, type Clock, type TimerHandle } from "../runtime/clock.js";

/**
 * A clock whose timers all end with it: `stop()` cancels every pending timer and refuses new ones.
 * The node gives it to its cluster membership, so that a shutdown which had to abandon a stalled
 * partition still ends lease renewals, watches and ticks instead of leaving them to keep the
 * process alive (the leases then expire by TTL and the next owner replays the log).
 */
export class StoppableClock implements Clock {
  readonly #inner: Clock;
  readonly #live = new Set<TimerHandle>();
  #stopped = false;

  constructor(inner: Clock = systemClock) {
    this.#inner = inner;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  get pendingTimers(): number {
    return this.#live.size;
  }

  now(): number {
    return this.#inner.now();
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    if (this.#stopped) return { cancel: () => {} };
    const handle: TimerHandle = this.#inner.setTimeout(() => {
      this.#live.delete(handle);
      fn();
    }, delayMs);
    this.#live.add(handle);
    return {
      cancel: () => {
        this.#live.delete(handle);
        handle.cancel();
      },
    };
  }

  stop(): void {
    this.#stopped = true;
    for (const handle of this.#live) handle.cancel();
    this.#live.clear();
  }
}
