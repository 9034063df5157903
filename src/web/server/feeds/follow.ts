/**
 * One subject of a JetStream stream as a resumable stream of decoded values, each with its
 * stream sequence. After `afterSeq` an ordered consumer starts at `afterSeq + 1`, so a client
 * that resumes with the last sequence it saw gets every later message exactly once; without it
 * the stream starts at the subject's latest message (the current state at once). A resume from
 * far behind (or from "0") starts no earlier than `maxReplay` messages before the stream's end.
 */
import { DeliverPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { MarketDataUnavailable } from "../errors.js";
import { onAbort } from "../../../runtime/abort.js";
import { replayStart } from "../limits.js";

export interface FollowOptions<T> {
  stream: string;
  subject: string;
  /** Last sequence the client holds, or null for "start at the latest". */
  afterSeq: number | null;
  /** Stream messages replayed at most on a resume (a bound over the whole stream, so over this subject too). */
  maxReplay: number;
  decode: (subject: string, data: Uint8Array) => T;
  /** A message that does not decode is skipped and reported here. */
  onMalformed?: (err: unknown) => void;
}

export async function* followSubject<T>(nc: NatsConnection, o: FollowOptions<T>, signal: AbortSignal | undefined): AsyncGenerator<{ seq: number; value: T }> {
  let messages;
  try {
    let start: number | null = null;
    if (o.afterSeq !== null) {
      const info = await (await jetstreamManager(nc, { checkAPI: false })).streams.info(o.stream);
      start = replayStart(o.afterSeq, info.state.last_seq, o.maxReplay);
    }
    const consumer = await jetstream(nc).consumers.get(o.stream, {
      filter_subjects: o.subject,
      ...(start === null ? { deliver_policy: DeliverPolicy.LastPerSubject } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
    });
    messages = await consumer.consume({ max_messages: 256 });
  } catch (err) {
    throw new MarketDataUnavailable(`cannot follow ${o.subject} on ${o.stream}: ${(err as Error).message}`, { cause: err });
  }
  const unlisten = onAbort(signal, () => messages.stop()); // also when aborted while the consumer was created
  try {
    for await (const m of messages) {
      let value: T;
      try {
        value = o.decode(m.subject, m.data);
      } catch (err) {
        o.onMalformed?.(err);
        continue;
      }
      yield { seq: m.seq, value };
    }
  } finally {
    unlisten();
    await messages.close().catch(() => undefined);
  }
}
