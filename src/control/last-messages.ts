/**
 * The last N messages of a subject (wildcards allowed) in a stream: an ordered consumer starting
 * a window of sequences before the stream's end, widened ×8 until it holds N matches or reaches
 * the stream's start. Works on nats-server 2.9 (no multi-filter, no wildcard last_by_subj).
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { readStreamSlice } from "../verify/stream-slice.js";

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

/** Every match in [startSeq, lastSeq], keeping the last `limit`; a read that stalls throws rather than return part of it. */
async function readRange(js: JetStreamClient, o: LastMessagesOptions, startSeq: number, lastSeq: number): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  const max = o.maxBytes ?? 4096;
  const decoder = new TextDecoder();
  await readStreamSlice(js, { stream: o.stream, subject: o.subject, startSeq, endSeq: lastSeq }, (m) => {
    const headers: Record<string, string> = {};
    if (m.headers) for (const [k, v] of m.headers) headers[k] = v.join(", ");
    out.push({ seq: m.seq, subject: m.subject, time: new Date(Math.floor(Number(m.info.timestampNanos) / 1e6)).toISOString(), size: m.data.length, headers, data: decoder.decode(m.data.subarray(0, max)), truncated: m.data.length > max });
    if (out.length > o.limit) out.shift();
  });
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
