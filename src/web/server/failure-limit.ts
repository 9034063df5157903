/**
 * A limit on failed token attempts per client address: signing in at /auth/session, a bearer or
 * `x-admin-token` header on /trpc. Tokens are long random strings, but nothing else stopped a
 * caller from guessing as fast as the server answers. After `maxFailures` failures within
 * `windowMs` of an address's first one, every attempt from that address (a right token too, or a
 * guess could be told apart from a refusal) is answered 429 with Retry-After until the window
 * ends. A success is not counted and does not clear the count: a read-token holder could
 * otherwise sign in between admin-token guesses to reset it.
 *
 * Pure apart from the injected clock; memory is bounded: at most `maxAddresses` addresses are
 * tracked, the one whose window started longest ago is forgotten first. IPv6 callers are counted
 * per /64 (one host usually holds a whole /64), IPv4-mapped IPv6 as the IPv4 address.
 *
 * Behind a reverse proxy every request comes from the proxy's address, so all clients share one
 * count: a flood of bad guesses then locks everyone out until the window ends.
 */

export interface FailureLimitOptions {
  /** Failures allowed in a window. Default 10. */
  maxFailures?: number;
  /** The window, from an address's first failure. Default 5 minutes. */
  windowMs?: number;
  /** Addresses tracked at most. Default 10,000. */
  maxAddresses?: number;
  now?: () => number;
}

export type AttemptVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Window {
  startedAt: number;
  failures: number;
}

export const DEFAULT_FAILURE_LIMIT = { maxFailures: 10, windowMs: 5 * 60_000, maxAddresses: 10_000 } as const;

/** The key an address is counted under: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 by its /64. */
export function addressKey(address: string | null | undefined): string {
  if (!address) return "unknown";
  const a = address.toLowerCase().replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(":")) return a;
  return `${expandIpv6(a).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (`::` expanded, leading zeros dropped). */
function expandIpv6(a: string): string[] {
  const [head, tail] = a.includes("::") ? a.split("::") as [string, string] : [a, null];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === null ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups.map((g) => (g.replace(/^0+(?=.)/, "") || "0"));
}

export class FailureLimit {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly #maxAddresses: number;
  readonly #now: () => number;
  /** Address key → its current window; insertion order is the windows' start order. */
  readonly #windows = new Map<string, Window>();

  constructor(o: FailureLimitOptions = {}) {
    this.maxFailures = o.maxFailures ?? DEFAULT_FAILURE_LIMIT.maxFailures;
    this.windowMs = o.windowMs ?? DEFAULT_FAILURE_LIMIT.windowMs;
    this.#maxAddresses = o.maxAddresses ?? DEFAULT_FAILURE_LIMIT.maxAddresses;
    this.#now = o.now ?? Date.now;
    if (!(this.maxFailures >= 1) || !(this.windowMs > 0) || !(this.#maxAddresses >= 1)) throw new RangeError("FailureLimit: maxFailures, windowMs and maxAddresses must be positive");
  }

  /** Whether this address may try a token now; if not, when it may again. */
  check(address: string | null | undefined): AttemptVerdict {
    const w = this.#live(addressKey(address));
    if (w === undefined || w.failures < this.maxFailures) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((w.startedAt + this.windowMs - this.#now()) / 1000)) };
  }

  /** Counts a failed attempt of this address. */
  fail(address: string | null | undefined): void {
    const key = addressKey(address);
    const w = this.#live(key);
    if (w !== undefined) {
      w.failures += 1;
      return;
    }
    this.#windows.set(key, { startedAt: this.#now(), failures: 1 });
    while (this.#windows.size > this.#maxAddresses) this.#windows.delete(this.#windows.keys().next().value!);
  }

  /** Addresses tracked now (for tests and the bound). */
  get size(): number {
    return this.#windows.size;
  }

  /** The address's window if it has not ended (an ended one is dropped). */
  #live(key: string): Window | undefined {
    const w = this.#windows.get(key);
    if (w === undefined) return undefined;
    if (this.#now() < w.startedAt + this.windowMs) return w;
    this.#windows.delete(key);
    return undefined;
  }
}
