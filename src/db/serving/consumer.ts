/**
 * Drives a ServingWriter from JetStream: durable pull consumers on SILVER (`silver.<SYMBOL>`,
 * one JSON bar per message) and CANDLES (`candles.<SYMBOL>`, one 1m candle per message).
 * A fetched batch is acked only after the writer committed it; while PostgreSQL is down the
 * batch is retried with the writer's backoff (messages kept alive with `working()`), and
 * everything behind it stays in the log until the database is back.
 */
import { AckPolicy, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { assertNever } from "../../runtime/assert-never.js";
import { backoffDelay, type BackoffPolicy } from "../../runtime/backoff.js";
import { sleep, systemClock, type Clock } from "../../runtime/clock.js";
import { decodeCandle1m, decodeSilverBar, InvalidServingMessage } from "./decode.js";
import type { ServingBatch } from "./rows.js";
import type { ServingWriter, WriteOutcome } from "./writer.js";

export type ServingSource = "silver" | "candles";

export const SERVING_STREAMS: Record<ServingSource, { stream: string; subjects: string }> = {
  silver: { stream: "SILVER", subjects: "silver.>" },
  candles: { stream: "CANDLES", subjects: "candles.>" },
};

const FETCH_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 5000, factor: 2, jitter: 0.2 };

export type ServingConsumerEvent =
  | { type: "written"; source: ServingSource; messages: number; rows: number }
  | { type: "write-failed"; source: ServingSource; messages: number; outcome: Extract<WriteOutcome, { type: "failed" }> }
  | { type: "rejected"; source: ServingSource; subject: string; reason: string }
  /** The fetch itself failed (NATS unreachable, consumer missing): retried after `retryInMs`. */
  | { type: "fetch-failed"; source: ServingSource; error: string; retryInMs: number };

export interface ServingConsumerOptions {
  writer: ServingWriter;
  /** Stops the loops; an unfinished batch is nak'd so it is redelivered (to this or another node). */
  signal: AbortSignal;
  /** Durable consumer name, shared by every serving node so they split the work. Default "serving". */
  durable?: string;
  /** Messages per fetch (and per database transaction). Default 500. */
  batchSize?: number;
  /** How long one fetch waits for messages (JetStream's minimum is 1000 ms). Default 1000 ms. */
  fetchExpiresMs?: number;
  /** Ack deadline set on a created consumer. Default 30 s. */
  ackWaitMs?: number;
  clock?: Clock;
  /** Called (and awaited) for every batch outcome and rejected message: metrics, DLQ, logs. */
  onEvent?: (event: ServingConsumerEvent, msg?: JsMsg) => void | Promise<void>;
  /** Which streams to consume. Default both. */
  sources?: ServingSource[];
}

/** Creates the durable pull consumer if it does not exist yet (idempotent). */
export async function ensureServingConsumer(js: JetStreamClient, source: ServingSource, durable: string, ackWaitMs: number, maxAckPending: number): Promise<void> {
  const jsm = await js.jetstreamManager();
  const { stream } = SERVING_STREAMS[source];
  try {
    await jsm.consumers.info(stream, durable);
  } catch {
    await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: nanos(ackWaitMs), max_ack_pending: maxAckPending });
  }
}


interface Decoded {
  batch: ServingBatch;
  msgs: JsMsg[];
}

async function decodeAll(source: ServingSource, msgs: JsMsg[], options: ServingConsumerOptions): Promise<Decoded> {
  const out: Decoded = { batch: { bars: [], candles: [] }, msgs: [] };
  for (const m of msgs) {
    try {
      if (source === "silver") out.batch.bars.push(decodeSilverBar(m.data));
      else out.batch.candles.push(decodeCandle1m(m.data));
      out.msgs.push(m);
    } catch (err) {
      if (!(err instanceof InvalidServingMessage)) throw err;
      await reject(source, m, err.message, options);
    }
  }
  return out;
}

async function reject(source: ServingSource, m: JsMsg, reason: string, options: ServingConsumerOptions): Promise<void> {
  // The caller's onEvent is where a DLQ publish belongs; term() stops redelivery of a message that can never be written.
  await options.onEvent?.({ type: "rejected", source, subject: m.subject, reason }, m);
  // No reason argument: nats-server 2.9 does not understand "+TERM <reason>" and would leave the message pending.
  m.term();
}

function split(d: Decoded): Decoded[] {
  return d.msgs.map((m, i) => ({ msgs: [m], batch: { bars: d.batch.bars.slice(i, i + 1), candles: d.batch.candles.slice(i, i + 1) } }));
}

/** Writes one decoded batch until it is committed, rejected, or the signal stops us. */
async function writeBatch(source: ServingSource, d: Decoded, options: ServingConsumerOptions, clock: Clock): Promise<void> {
  for (;;) {
    if (options.signal.aborted) {
      for (const m of d.msgs) m.nak();
      return;
    }
    const outcome = await options.writer.write(d.batch);
    switch (outcome.type) {
      case "written":
        for (const m of d.msgs) m.ack();
        await options.onEvent?.({ type: "written", source, messages: d.msgs.length, rows: outcome.rows });
        return;
      case "failed":
        await options.onEvent?.({ type: "write-failed", source, messages: d.msgs.length, outcome });
        if (!outcome.retryable) {
          // A row the database refuses: find it by writing one message at a time, reject only that one.
          if (d.msgs.length === 1) return reject(source, d.msgs[0]!, outcome.error.message, options);
          for (const single of split(d)) await writeBatch(source, single, options, clock);
          return;
        }
        for (const m of d.msgs) m.working();
        await sleep(clock, options.writer.delayBeforeNextAttempt(), options.signal);
        break;
      default:
        assertNever(outcome, "outcome");
    }
  }
}

async function consumeSource(js: JetStreamClient, source: ServingSource, options: ServingConsumerOptions): Promise<void> {
  const clock = options.clock ?? systemClock;
  const durable = options.durable ?? "serving";
  const batchSize = options.batchSize ?? 500;
  const consumer = await js.consumers.get(SERVING_STREAMS[source].stream, durable);
  let fetchFailures = 0;
  while (!options.signal.aborted) {
    const msgs: JsMsg[] = [];
    try {
      const iter = await consumer.fetch({ max_messages: batchSize, expires: Math.max(1000, options.fetchExpiresMs ?? 1000) });
      for await (const m of iter) msgs.push(m);
      fetchFailures = 0;
    } catch (err) {
      // NATS reconnects by itself; wait a little and fetch again. Messages already received stay unacked and come back.
      const retryInMs = backoffDelay(fetchFailures++, FETCH_BACKOFF);
      await options.onEvent?.({ type: "fetch-failed", source, error: (err as Error).message, retryInMs });
      await sleep(clock, retryInMs, options.signal);
      continue;
    }
    if (msgs.length === 0) continue;
    const decoded = await decodeAll(source, msgs, options);
    if (decoded.msgs.length > 0) await writeBatch(source, decoded, options, clock);
  }
}

/** Runs until `signal` aborts. Creates the durable consumers if missing; the streams must exist. */
export async function runServingConsumer(js: JetStreamClient, options: ServingConsumerOptions): Promise<void> {
  const sources = options.sources ?? (["silver", "candles"] as ServingSource[]);
  const batchSize = options.batchSize ?? 500;
  for (const s of sources) await ensureServingConsumer(js, s, options.durable ?? "serving", options.ackWaitMs ?? 30_000, batchSize * 4);
  await Promise.all(sources.map((s) => consumeSource(js, s, options)));
}
