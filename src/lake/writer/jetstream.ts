import { AckPolicy, DeliverPolicy, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { Trade } from "../../market/trade.js";
import { systemClock, type Clock } from "../../runtime/clock.js";
import { backoffDelay } from "./backoff.js";
import type { FlushResult, LakeWriter } from "./lake-writer.js";

export interface LakeConsumerOptions<R> {
  js: JetStreamClient;
  jsm: JetStreamManager;
  stream: string;
  /** Durable consumer name; one per writer (it is recreated at the table's position on start). */
  durable: string;
  filterSubject?: string;
  /** How long a delivered message may wait for its commit before JetStream redelivers it. */
  ackWaitMs?: number;
  writer: LakeWriter<R>;
  /** One log message → its records (a message may carry one record or a JSON array). */
  decode(data: Uint8Array, subject: string): R[];
  signal: AbortSignal;
  /** Messages per fetch (default 1000). */
  batchSize?: number;
  /** How long an empty fetch waits (ms, at least 1000 as JetStream requires; default 1000). */
  fetchExpiresMs?: number;
  /** Stop fetching while this many rows wait for a commit (backpressure; default 4 × writer.maxRows). */
  maxBufferedRows?: number;
  backoff?: { initialMs: number; maxMs: number };
  clock?: Clock;
  onCommit?(result: FlushResult): void;
  /** A failed flush or fetch; the loop backs off and retries without acknowledging. */
  onError?(err: unknown, attempt: number): void;
}

/**
 * (Re)creates the writer's durable pull consumer so it delivers from `afterSeq + 1`. The table's
 * txn is the truth about progress: messages a killed predecessor fetched but never committed would
 * otherwise sit unacknowledged until their ack wait expires. Ack-all, so one ack after a commit
 * covers the batch (the ack floor then tells monitoring how far the lake is).
 */
export async function resumeLakeConsumer(
  js: JetStreamClient,
  jsm: JetStreamManager,
  options: { stream: string; durable: string; filterSubject?: string; afterSeq: number; ackWaitMs?: number },
): Promise<Consumer> {
  await jsm.consumers.delete(options.stream, options.durable).catch(() => false);
  await jsm.consumers.add(options.stream, {
    durable_name: options.durable,
    ack_policy: AckPolicy.All,
    ...(options.afterSeq >= 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.afterSeq + 1 }
      : { deliver_policy: DeliverPolicy.All }),
    filter_subject: options.filterSubject,
    // Messages wait in the writer's buffer until the commit: allow many in flight.
    max_ack_pending: 1_000_000,
    ack_wait: (options.ackWaitMs ?? 60_000) * 1_000_000,
  });
  return js.consumers.get(options.stream, options.durable);
}

function sleep(ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = clock.setTimeout(done, ms);
    function done() {
      timer.cancel();
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Drives a LakeWriter from a JetStream durable consumer: fetch → add → flush when due → ack
 * after the commit. On start it skips (and acks) what the table already holds, and it ignores
 * redeliveries of sequences it has buffered. A failing store makes it back off and retry; nothing
 * is acknowledged until the commit, so the log keeps the data meanwhile. Returns on abort after a
 * final flush attempt.
 */
export async function runLakeConsumer<R>(options: LakeConsumerOptions<R>): Promise<void> {
  const { writer, decode, signal } = options;
  const clock = options.clock ?? systemClock;
  const batchSize = options.batchSize ?? 1000;
  const expires = Math.max(1000, options.fetchExpiresMs ?? 1000);
  const maxBuffered = options.maxBufferedRows ?? writer.maxRows * 4;
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 200, maxMs: 10_000 };
  let failures = 0;
  let committedSeq = -1;
  let lastMsg: JsMsg | undefined;

  const fail = async (err: unknown) => {
    options.onError?.(err, failures);
    await sleep(backoffDelay(failures++, initialMs, maxMs), clock, signal);
  };

  // Where the table says we are; until it answers we fetch nothing.
  let consumer: Consumer | undefined;
  while (!signal.aborted && !consumer) {
    try {
      committedSeq = await writer.lastCommittedSeq();
      consumer = await resumeLakeConsumer(options.js, options.jsm, { ...options, afterSeq: committedSeq });
      failures = 0;
    } catch (err) {
      await fail(err);
    }
  }
  if (!consumer) return;

  const flush = async (force: boolean) => {
    const msg = lastMsg;
    const result = force ? await writer.flush() : await writer.flushIfDue(clock.now());
    if (!result) return;
    failures = 0;
    // Ack-all: acknowledging the newest committed message covers every earlier one.
    msg?.ack();
    options.onCommit?.(result);
  };

  while (!signal.aborted) {
    try {
      if (writer.pendingRows < maxBuffered) {
        const messages = await consumer.fetch({ max_messages: batchSize, expires });
        const onAbort = () => messages.stop();
        signal.addEventListener("abort", onAbort, { once: true });
        try {
          for await (const m of messages) {
            if (m.seq <= committedSeq) {
              m.ack(); // already in the table: acknowledging is all that is left to do
              continue;
            }
            if (m.seq <= writer.lastAddedSeq) continue; // a redelivery of something buffered
            writer.add(decode(m.data, m.subject), m.seq);
            lastMsg = m;
            // No early break: with ack-all, a delivered-but-skipped message would later be
            // acknowledged by a newer ack without ever reaching the table.
          }
        } finally {
          signal.removeEventListener("abort", onAbort);
          messages.stop();
        }
      }
      await flush(writer.pendingRows >= maxBuffered);
    } catch (err) {
      await fail(err);
    }
  }
  // Shutdown: one last attempt so a clean stop leaves nothing only in memory.
  if (writer.pendingRows > 0) await flush(true).catch((err: unknown) => options.onError?.(err, failures));
}

const textDecoder = new TextDecoder();

/** Decodes a TRADES message: one JSON Trade, or a JSON array of them. */
export function decodeTrades(data: Uint8Array): Trade[] {
  const parsed = JSON.parse(textDecoder.decode(data)) as Trade | Trade[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
