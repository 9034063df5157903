/**
 * The handover channel of ingest shards (`rt.ingest.handover.<shard>`, core NATS request/reply).
 * A node still reading a shard it released *offers* it: it listens on the shard's subject until its
 * overlap ends. The new owner, once its streams for the shard are live, *claims* it: the old owner
 * stops reading, puts what it read into the log and answers "flushed". Nobody listening (a crash, a
 * lost lease, a first start) answers at once with "no responders"; a claim that times out counts
 * as not flushed. Either way the new owner falls back to the log's marks and the exchange's history.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { ingestHandoverSubject } from "../../runtime/nats/spec.js";

export interface HandoverChannel {
  /** Answers the first claim of `shard` after `finish` resolves; returns how to stop listening. */
  offer(shard: number, finish: () => Promise<void>): Promise<() => void>;
  /** True when the previous reader of `shard` logged everything it read and stopped. */
  claim(shard: number): Promise<boolean>;
}

const FLUSHED = "flushed";
const FAILED = "failed";

export function natsHandover(nc: NatsConnection, options: { timeoutMs: number; prefix?: string; onError?: (shard: number, error: unknown) => void }): HandoverChannel {
  const subject = (shard: number) => ingestHandoverSubject(shard, options.prefix);
  return {
    async offer(shard, finish) {
      const sub = nc.subscribe(subject(shard), {
        max: 1,
        callback: (err, msg) => {
          if (err) return;
          finish().then(
            () => msg.respond(FLUSHED),
            (error: unknown) => {
              options.onError?.(shard, error);
              msg.respond(FAILED);
            },
          );
        },
      });
      // The server knows the listener before the caller releases the lease and a new owner claims.
      await nc.flush();
      return () => sub.unsubscribe();
    },
    async claim(shard) {
      try {
        const reply = await nc.request(subject(shard), undefined, { timeout: options.timeoutMs });
        return reply.string() === FLUSHED;
      } catch {
        return false; // no responders (nobody still reads it) or no answer in time
      }
    },
  };
}
