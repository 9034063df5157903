import { AckPolicy, DeliverPolicy, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { Trade } from "../../market/trade.js";
import { sleep, systemClock, type Clock, type TimerHandle } from "../../runtime/clock.js";
import { onAbort } from "../../runtime/abort.js";
import { DeliveryOrder } from "../../runtime/nats/delivery-order.js";
import { backoffDelay } from "./backoff.js";
import { LakeConsumerInterleaved } from "../errors.js";
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
  decode(data: Uint8Array, subject: string, seq: number): R[];
  signal: AbortSignal;
  /** Messages kept in flight by the pull consumer (default 1000). */
  batchSize?: number;
  /** Pull request expiry (ms, at least 1000 as JetStream requires; default 1000). */
  fetchExpiresMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  clock?: Clock;
  onCommit?(result: FlushResult): void;
  /** A failed flush or fetch; the loop backs off and retries without acknowledging. */
  onError?(err: unknown, attempt: number): void;
  /** A message that could not be decoded: it is skipped (and acknowledged with the next commit). */
  onReject?(seq: number, subject: string, err: unknown): void;
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


/**
 * Drives a LakeWriter from a JetStream durable consumer: consume → add → flush when due → ack
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
  const { initialMs, maxMs } = options.backoff ?? { initialMs: 200, maxMs: 10_000 };
  let failures = 0;
  let committedSeq = -1;
  const unacked = new UnackedMessages();

  const fail = async (err: unknown) => {
    options.onError?.(err, failures);
    await sleep(clock, backoffDelay(failures++, initialMs, maxMs), signal);
  };

  // The writer runs flushes one at a time and says which sequence each one committed; the ack
  // goes to exactly that message (ack-all covers every earlier one), never to a newer one that
  // arrived while the flush was in flight.
  const flushOnce = async (): Promise<void> => {
    const result = await writer.flush();
    if (!result) return;
    failures = 0;
    unacked.ackThrough(result.lastLogSeq);
    options.onCommit?.(result);
  };
  /** Retries until committed or stopped; the message loop waits here, so a dead store stops consumption. */
  const flushUntilDone = async () => {
    while (!signal.aborted) {
      try {
        return await flushOnce();
      } catch (err) {
        await fail(err);
      }
    }
  };

  // Idle ticker: an age-due buffer is committed even when no message arrives.
  const tickMs = Math.max(50, Math.min(writer.maxAgeMs, 500));
  let ticker: TimerHandle | undefined;
  const schedule = (ms: number) => {
    if (!signal.aborted) ticker = clock.setTimeout(tick, ms);
  };
  function tick(): void {
    if (!writer.isDue(clock.now())) return schedule(tickMs);
    flushOnce().then(
      () => schedule(tickMs),
      (err: unknown) => {
        options.onError?.(err, failures);
        schedule(backoffDelay(failures++, initialMs, maxMs));
      },
    );
  }
  schedule(tickMs);

  try {
    while (!signal.aborted) {
      try {
        // Where the table says we are: the consumer is recreated to deliver from there.
        committedSeq = await writer.lastCommittedSeq();
        const consumer = await resumeLakeConsumer(options.js, options.jsm, { ...options, afterSeq: committedSeq });
        unacked.clear(); // their acks would land on the recreated consumer, whose sequences differ
        failures = 0;
        await consumeUntilStopped(consumer);
      } catch (err) {
        await fail(err);
      }
    }
  } finally {
    ticker?.cancel();
    await writer.idle();
  }
  // Shutdown: one last attempt so a clean stop leaves nothing only in memory.
  if (writer.pendingBatches > 0) await flushOnce().catch((err: unknown) => options.onError?.(err, failures));

  async function consumeUntilStopped(consumer: Consumer): Promise<void> {
    // consume() keeps pulls in flight while we work (fetch() would idle between batches).
    const messages = await consumer.consume({ max_messages: batchSize, expires });
    // Also when the abort came while the consumer was being recreated: the consume would otherwise
    // run on after the stop (and pull beside the next owner's writer).
    const unlisten = onAbort(signal, () => void messages.stop());
    // Every delivery of this consumer must reach this loop, in order (1, 2, 3, ...): the buffer is
    // then always a gap-free run of the log after the table's txn, which is what a commit claims.
    const order = new DeliveryOrder();
    try {
      for await (const m of messages) {
        const expected = order.expected;
        if (!order.accept(m)) throw new LakeConsumerInterleaved(options.durable, expected, m.info.deliverySequence);
        if (m.seq <= committedSeq) {
          m.ack(); // already in the table: acknowledging is all that is left to do
          continue;
        }
        if (m.seq <= writer.lastAddedSeq) continue; // a redelivery of something buffered
        let records: R[];
        try {
          records = decode(m.data, m.subject, m.seq);
        } catch (err) {
          // The sequence still advances (an empty batch), so the ack after the next commit covers it.
          options.onReject?.(m.seq, m.subject, err);
          records = [];
        }
        writer.add(records, m.seq);
        unacked.push(m);
        // Every delivered message is added before any newer one is acked: with ack-all, skipping
        // one here would let a later ack cover it without it ever reaching the table.
        if (writer.isDue(clock.now())) await flushUntilDone();
      }
    } finally {
      unlisten();
      messages.stop();
    }
  }
}

/** Delivered messages whose records are buffered or being committed, oldest first. */
class UnackedMessages {
  #messages: JsMsg[] = [];

  push(m: JsMsg): void {
    this.#messages.push(m);
  }

  clear(): void {
    this.#messages = [];
  }

  /** Acks the newest message at or below `seq` (ack-all covers the rest) and forgets them all. */
  ackThrough(seq: number): void {
    let i = 0;
    while (i < this.#messages.length && this.#messages[i]!.seq <= seq) i++;
    if (i === 0) return;
    this.#messages[i - 1]!.ack();
    this.#messages = this.#messages.slice(i);
  }
}

const textDecoder = new TextDecoder();

/** Decodes a TRADES message: one JSON Trade, or a JSON array of them. */
export function decodeTrades(data: Uint8Array): Trade[] {
  const parsed = JSON.parse(textDecoder.decode(data)) as Trade | Trade[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
