/**
 * nats.js 3.4's `RequestOne.resolver` settles a request and then calls `cancel()`, which builds a
 * `RequestError("cancelled")` — an Error with a captured stack — only to reject the promise it has
 * just settled (a no-op). Every request pays for it: each JetStream publish (TRADES batches,
 * SILVER bars, candles) and each KV put (actor snapshots). In a node at 1,000 symbols and 10,000
 * trades/s that stack capture was 6 % of the node's CPU (`BENCH_NODE_PROFILE`, scale bench).
 *
 * `settleWithoutCancelError` replaces the resolver with one that does the same — stop the timer,
 * settle, leave the mux — without the throwaway Error. A request cancelled for real (connection
 * closed, `cancel(err)`) is untouched. Imported for its effect by connect.ts, so every connection
 * in the process gets it; applied once.
 */
import { RequestOne } from "@nats-io/nats-core/internal";
import { RequestError, TimeoutError } from "@nats-io/nats-core";

interface RequestOneInternals {
  timer?: { cancel(): void };
  ctx?: RequestError;
  deferred: { resolve(v: unknown): void; reject(e: unknown): void };
  mux: { cancel(r: unknown): void };
}

const PATCHED = Symbol.for("tickhouse.nats.requestSettle");

/** nats.js's own resolver, as it was before the install (for the before/after bench, bench/nats-request.ts). */
export const natsResolver: unknown = (RequestOne.prototype as unknown as Record<PropertyKey, unknown>).resolver;

function resolver(this: RequestOneInternals, err: Error | null, msg: unknown): void {
  this.timer?.cancel();
  if (err) {
    // As nats.js does: a timeout keeps its own error; anything else becomes a RequestError.
    if (!(err instanceof TimeoutError)) {
      if (this.ctx) {
        this.ctx.message = err.message;
        this.ctx.cause = err;
        err = this.ctx;
      } else err = new RequestError(err.message, { cause: err });
    }
    this.deferred.reject(err);
  } else this.deferred.resolve(msg);
  this.mux.cancel(this);
}

/** Installs the resolver (idempotent). Returns whether this call installed it. */
export function settleWithoutCancelError(): boolean {
  const proto = RequestOne.prototype as unknown as Record<PropertyKey, unknown>;
  if (proto[PATCHED] === true) return false;
  if (typeof proto.resolver !== "function") throw new Error("nats.js RequestOne has no resolver: the request-settle fix no longer fits this nats.js version");
  proto.resolver = resolver;
  proto[PATCHED] = true;
  return true;
}

settleWithoutCancelError();
