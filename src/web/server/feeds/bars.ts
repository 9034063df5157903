/**
 * Silver bars of one symbol as a resumable stream. Each bar carries its SILVER stream sequence;
 * a client that reconnects with the last sequence it saw gets an ordered consumer starting at
 * the next one, so it receives every bar it missed exactly once and nothing twice. A fresh
 * subscriber starts at the subject's latest bar (the current prediction at once).
 * The server also watches `silver.>` on core NATS (JetStream publishes are ordinary subjects)
 * to count bars and measure trade→prediction latency without a consumer of its own.
 */
import { DeliverPolicy, jetstream } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { STREAMS } from "../../../runtime/nats/spec.js";
import { decodeSilverBar, symbolOfSubject } from "../decode.js";
import { MarketDataUnavailable } from "../errors.js";
import type { WebMetrics } from "../metrics.js";
import { barView, type BarView } from "../views.js";

export async function* streamBars(nc: NatsConnection, symbol: string, afterSeq: number | null, signal: AbortSignal | undefined, metrics?: WebMetrics): AsyncGenerator<BarView> {
  const js = jetstream(nc);
  let messages;
  try {
    const consumer = await js.consumers.get(STREAMS.silver, {
      filter_subjects: `silver.${symbol}`,
      ...(afterSeq === null ? { deliver_policy: DeliverPolicy.LastPerSubject } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 }),
    });
    messages = await consumer.consume({ max_messages: 256 });
  } catch (err) {
    throw new MarketDataUnavailable(`cannot follow silver.${symbol}: ${(err as Error).message}`, { cause: err });
  }
  const stop = () => messages.stop();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    for await (const m of messages) {
      let view: BarView;
      try {
        view = barView(decodeSilverBar(m.subject, m.data), m.seq);
      } catch {
        metrics?.malformed.inc({ subject_kind: "silver" });
        continue;
      }
      yield view;
    }
  } finally {
    signal?.removeEventListener("abort", stop);
    await messages.close().catch(() => undefined);
  }
}

/** Counts every silver bar and records its latency (core subscription on `silver.>`). */
export class BarWatcher {
  readonly #sub: Subscription;
  readonly #done: Promise<void>;
  readonly #symbols = new Set<string>();

  constructor(nc: NatsConnection, private readonly metrics: WebMetrics) {
    this.#sub = nc.subscribe("silver.>");
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    for await (const msg of this.#sub) {
      const symbol = symbolOfSubject(msg.subject);
      try {
        const bar = decodeSilverBar(msg.subject, msg.data);
        if (symbol === null) throw new Error("no symbol");
        this.#symbols.add(symbol);
        this.metrics.bar(symbol, bar.emittedAt - bar.closedByIngestTime);
      } catch {
        this.metrics.malformed.inc({ subject_kind: "silver" });
      }
    }
  }

  symbols(): string[] {
    return [...this.#symbols];
  }

  async close(): Promise<void> {
    this.#sub.unsubscribe();
    await this.#done;
  }
}
