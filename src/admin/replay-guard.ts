/**
 * Admits a signed request once. A request is fresh when its time is within `skewMs` of ours; a
 * nonce must be new among the requests still fresh, so a nonce only needs remembering until its
 * request goes stale. The memory is bounded: when `capacity` fresh nonces are held, new requests
 * are refused (never is an old nonce forgotten early, which would let it be replayed).
 *
 * The memory does not survive a restart, so a guard also refuses whatever was signed before it
 * existed (`notBefore`): a request captured before a node restarted cannot be replayed to the new
 * process. The price: a client whose clock is d behind is refused for d after a restart.
 */
export type ReplayVerdict = { ok: true } | { ok: false; reason: string };

export interface ReplayGuardOptions {
  skewMs: number;
  /** Most nonces held at once. Default 100,000 (about 10 MB). */
  capacity?: number;
  /** Requests signed before this time are refused (the guard's start: nonces seen before it are not known). */
  notBefore?: number;
}

export class ReplayGuard {
  readonly skewMs: number;
  readonly capacity: number;
  readonly notBefore: number;
  /** nonce → when it may be forgotten; insertion order is roughly expiry order. */
  readonly #seen = new Map<string, number>();

  constructor(options: ReplayGuardOptions) {
    if (!(options.skewMs > 0)) throw new RangeError(`ReplayGuard: skewMs must be positive (got ${options.skewMs})`);
    this.skewMs = options.skewMs;
    this.capacity = options.capacity ?? 100_000;
    this.notBefore = options.notBefore ?? -Infinity;
  }

  get size(): number {
    return this.#seen.size;
  }

  admit(nonce: string, ts: number, now: number): ReplayVerdict {
    const age = now - ts;
    if (age > this.skewMs) return { ok: false, reason: `stale request: signed ${Math.round(age / 1000)} s ago (more than ${this.skewMs / 1000} s; are the clocks in sync?)` };
    if (-age > this.skewMs) return { ok: false, reason: `request signed ${Math.round(-age / 1000)} s in the future (more than ${this.skewMs / 1000} s; are the clocks in sync?)` };
    if (ts < this.notBefore) {
      return { ok: false, reason: `request signed ${Math.ceil((this.notBefore - ts) / 1000)} s before this node started: it may be a replay this node cannot recognise; sign it again (are the clocks in sync?)` };
    }
    this.#forgetExpired(now);
    if (this.#seen.has(nonce)) return { ok: false, reason: "replayed request: this nonce was already used" };
    if (this.#seen.size >= this.capacity) return { ok: false, reason: `too many admin requests within ${this.skewMs / 1000} s; try again shortly` };
    // A request is refused once it is older than skewMs, so its nonce is needed until ts + skewMs.
    this.#seen.set(nonce, ts + this.skewMs);
    return { ok: true };
  }

  #forgetExpired(now: number): void {
    for (const [nonce, until] of this.#seen) {
      if (until >= now) {
        // Entries are in arrival order, and expiry differs from it by at most 2 × skew: stop at the first live one
        // unless the map is full, then sweep all so that a late-arriving early expiry is not kept forever.
        if (this.#seen.size < this.capacity) return;
        continue;
      }
      this.#seen.delete(nonce);
    }
  }
}
