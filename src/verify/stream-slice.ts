/**
 * Reads a slice of a stream in order, one message at a time, through an ordered consumer (works on
 * nats-server 2.9). The caller folds each message into its accumulators: nothing is kept here.
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";

export interface StreamSlice {
  stream: string;
  subject: string;
  /** Start at the first message stored at or after this time (ms); otherwise at the stream's start. */
  startTime?: number | null;
  /** Last sequence to read (inclusive). */
  endSeq: number;
}

export interface SliceRead {
  fromSeq: number | null;
  toSeq: number | null;
  messages: number;
}

const BATCH = 1000;

export async function readStreamSlice(js: JetStreamClient, slice: StreamSlice, each: (m: JsMsg) => void): Promise<SliceRead> {
  const out: SliceRead = { fromSeq: null, toSeq: null, messages: 0 };
  if (slice.endSeq < 1) return out;
  const start =
    slice.startTime !== undefined && slice.startTime !== null
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(slice.startTime).toISOString() }
      : { deliver_policy: DeliverPolicy.All };
  const consumer = await js.consumers.get(slice.stream, { filter_subjects: slice.subject, ...start });
  try {
    if ((await consumer.info(true)).num_pending === 0) return out;
    for (let done = false; !done; ) {
      const batch = await consumer.fetch({ max_messages: BATCH, expires: 2_000 });
      let got = 0;
      for await (const m of batch) {
        got++;
        if (m.seq > slice.endSeq) {
          done = true;
          batch.stop();
          break;
        }
        out.fromSeq ??= m.seq;
        out.toSeq = m.seq;
        out.messages++;
        each(m);
        if (m.seq >= slice.endSeq || m.info.pending === 0) {
          done = true;
          batch.stop();
          break;
        }
      }
      if (got === 0) done = true;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

/** The stream's last sequence, or null when the stream does not exist. */
export async function streamLastSeq(jsm: JetStreamManager, stream: string): Promise<number | null> {
  try {
    return (await jsm.streams.info(stream)).state.last_seq;
  } catch (err) {
    if (/stream not found/i.test((err as Error).message)) return null;
    throw err;
  }
}
