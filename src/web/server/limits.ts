/**
 * Bounds on what one caller can make the web server hold: request bodies, calls per batch,
 * subscriptions per WebSocket connection and messages replayed when a stream is resumed.
 */
import { TRPCError } from "@trpc/server";

/** The subscriptions of one connection: a place is taken when one starts and given back once when it ends. */
export class SubscriptionBudget {
  #active = 0;

  constructor(readonly max: number) {}

  get active(): number {
    return this.#active;
  }

  /** Takes a place or throws TOO_MANY_REQUESTS; the returned release is idempotent. */
  take(): () => void {
    if (this.#active >= this.max) {
      throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `at most ${this.max} subscriptions per connection (WEB_MAX_SUBSCRIPTIONS); end one or open another connection` });
    }
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
    };
  }
}

/**
 * `source` that calls `release` once when it ends: done, failed, or returned early. Written as
 * an iterator rather than a generator so that a stop before the first `next()` releases too.
 */
export function releasingIterable<T>(source: AsyncIterable<T>, release: () => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = source[Symbol.asyncIterator]();
      return {
        async next() {
          try {
            const r = await it.next();
            if (r.done) release();
            return r;
          } catch (err) {
            release();
            throw err;
          }
        },
        async return(value?: unknown) {
          try {
            return (await it.return?.(value)) ?? { done: true, value: undefined };
          } finally {
            release();
          }
        },
        async throw(err?: unknown) {
          try {
            if (it.throw) return await it.throw(err);
            throw err;
          } finally {
            release();
          }
        },
      };
    },
  };
}

/** The first stream sequence to deliver when resuming after `afterSeq`, replaying at most `maxReplay` messages of a stream ending at `lastSeq`. */
export function replayStart(afterSeq: number, lastSeq: number, maxReplay: number): number {
  return Math.max(afterSeq + 1, lastSeq - maxReplay + 1);
}
