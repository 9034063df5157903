/**
 * At most `limit` events in any window of `windowMs` (a sliding log, exact, not a token bucket):
 * Binance counts "5 incoming messages per second" and disconnects on the sixth, so the limiter
 * must never allow a burst across a window edge. Pure: the caller passes the time.
 */
export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  #times: number[] = [];

  constructor(limit: number, windowMs: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`SlidingWindowLimiter: limit must be an integer >= 1, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`SlidingWindowLimiter: windowMs must be > 0, got ${windowMs}`);
    this.limit = limit;
    this.windowMs = windowMs;
  }

  #prune(now: number): void {
    let drop = 0;
    while (drop < this.#times.length && this.#times[drop]! <= now - this.windowMs) drop++;
    if (drop > 0) this.#times.splice(0, drop);
  }

  /** Records an event at `now` if the window has room; false (and nothing recorded) otherwise. */
  tryTake(now: number): boolean {
    this.#prune(now);
    if (this.#times.length >= this.limit) return false;
    this.#times.push(now);
    return true;
  }

  /** Milliseconds from `now` until `tryTake` would succeed; 0 when it would now. */
  waitMs(now: number): number {
    this.#prune(now);
    if (this.#times.length < this.limit) return 0;
    return this.#times[0]! + this.windowMs - now;
  }

  /** Events counted in the window ending at `now`. */
  used(now: number): number {
    this.#prune(now);
    return this.#times.length;
  }
}
