/**
 * The last N messages of a subject (wildcards allowed) in a stream: an ordered consumer starting
 * a window of sequences before the stream's end, widened ×8 until it holds N matches, reaches the
 * stream's start or `maxScan` sequences. Works on nats-server 2.9 (no multi-filter, no wildcard
 * last_by_subj). Each read is an ephemeral consumer: reads through one JetStream client pass a
 * ReadGate (a few at once, a few waiting, the rest refused), and a consumer left behind by a dead
 * process is removed by the server after 30 s without a pull.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { readStreamSlice } from "../runtime/nats/stream-slice.js";
import { readGateFor, type ReadGate } from "./read-gate.js";

/** Prefix of the reads' consumer names, so the log browser's own consumers are recognisable. */
export const READ_CONSUMER_PREFIX = "tickhouse_read";
const READ_INACTIVE_MS = 30_000;

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
  /** Stream sequences looked back at most (fewer matches beyond). Default: back to the stream's start. */
  maxScan?: number;
  /** Default: the gate of `js` (readGateFor). */
  gate?: ReadGate;
}

/** Every match in [startSeq, lastSeq], keeping the last `limit`; a read that stalls throws rather than return part of it. */
async function readRange(js: JetStreamClient, o: LastMessagesOptions, startSeq: number, lastSeq: number): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  const max = o.maxBytes ?? 4096;
  const decoder = new TextDecoder();
  const slice = { stream: o.stream, subject: o.subject, startSeq, endSeq: lastSeq, namePrefix: `${READ_CONSUMER_PREFIX}_${Math.random().toString(36).slice(2, 10)}`, inactiveThresholdMs: READ_INACTIVE_MS };
  await readStreamSlice(js, slice, (m) => {
    const headers: Record<string, string> = {};
    if (m.headers) for (const [k, v] of m.headers) headers[k] = v.join(", ");
    out.push({ seq: m.seq, subject: m.subject, time: new Date(Math.floor(Number(m.info.timestampNanos) / 1e6)).toISOString(), size: m.data.length, headers, data: decoder.decode(m.data.subarray(0, max)), truncated: m.data.length > max });
    if (out.length > o.limit) out.shift();
  });
  return out;
}

export async function lastMessages(jsm: JetStreamManager, js: JetStreamClient, o: LastMessagesOptions): Promise<StoredMessage[]> {
  if (o.limit <= 0) return [];
  return (o.gate ?? readGateFor(js)).run(async () => {
    const { state } = await jsm.streams.info(o.stream);
    if (state.messages === 0) return [];
    const floor = Math.max(state.first_seq, o.maxScan === undefined ? 0 : state.last_seq - o.maxScan + 1);
    let window = Math.max(o.limit * 4, 64);
    for (;;) {
      const start = Math.max(floor, state.last_seq - window + 1);
      const got = await readRange(js, o, start, state.last_seq);
      if (got.length >= o.limit || start === floor) return got.slice(-o.limit);
      window *= 8;
    }
  });
}
