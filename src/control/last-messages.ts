/**
 * The last N messages of a subject (wildcards allowed) in a stream: an ordered consumer starting
 * a window of sequences before the stream's end, widened ×8 until it holds N matches or reaches
 * the stream's start. Works on nats-server 2.9 (no multi-filter, no wildcard last_by_subj).
 */
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";

export interface StoredMessage {
  seq: number;
  subject: string;
  time: string;
  size: number;
  headers: Record<string, string>;
  /** UTF-8 text of the payload (truncated to `maxBytes`). */
  data: string;
  truncated: boolean;
}

export interface LastMessagesOptions {
  stream: string;
  subject: string;
  limit: number;
  /** Payload bytes kept per message. Default 4096. */
  maxBytes?: number;
}

async function readRange(js: JetStreamClient, o: LastMessagesOptions, startSeq: number, lastSeq: number): Promise<StoredMessage[]> {
  const consumer = await js.consumers.get(o.stream, { filter_subjects: o.subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq });
  const out: StoredMessage[] = [];
  const max = o.maxBytes ?? 4096;
  const decoder = new TextDecoder();
  try {
    const info = await consumer.info(true);
    if (info.num_pending === 0) return out;
    for (;;) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 2_000 });
      let got = 0;
      let done = false;
      for await (const m of batch) {
        got++;
        const headers: Record<string, string> = {};
        if (m.headers) for (const [k, v] of m.headers) headers[k] = v.join(", ");
        out.push({ seq: m.seq, subject: m.subject, time: new Date(Math.floor(Number(m.info.timestampNanos) / 1e6)).toISOString(), size: m.data.length, headers, data: decoder.decode(m.data.subarray(0, max)), truncated: m.data.length > max });
        if (out.length > o.limit) out.shift();
        if (m.seq >= lastSeq || m.info.pending === 0) {
          done = true;
          batch.stop();
          break;
        }
      }
      if (done || got === 0) break;
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

export async function lastMessages(jsm: JetStreamManager, js: JetStreamClient, o: LastMessagesOptions): Promise<StoredMessage[]> {
  if (o.limit <= 0) return [];
  const { state } = await jsm.streams.info(o.stream);
  if (state.messages === 0) return [];
  let window = Math.max(o.limit * 4, 64);
  for (;;) {
    const start = Math.max(state.first_seq, state.last_seq - window + 1);
    const got = await readRange(js, o, start, state.last_seq);
    if (got.length >= o.limit || start === state.first_seq) return got.slice(-o.limit);
    window *= 8;
  }
}
