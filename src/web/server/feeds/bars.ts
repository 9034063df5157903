/**
 * The server watches `silver.>` on core NATS (JetStream publishes are ordinary subjects)
 * to count bars and measure trade→prediction latency without a consumer of its own.
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import { decodeSilverBar, symbolOfSubject } from "../decode.js";
import type { WebMetrics } from "../metrics.js";
import { RecentSymbols } from "./recent-symbols.js";

/** Counts every silver bar and records its latency (core subscription on `silver.>`). */
export class BarWatcher {
  readonly #sub: Subscription;
  readonly #done: Promise<void>;
  /** Symbols without a bar for 10 minutes are forgotten (and leave the metrics' top-N). */
  readonly #symbols: RecentSymbols<true>;

  constructor(nc: NatsConnection, private readonly metrics: WebMetrics, now: () => number = Date.now) {
    this.#symbols = new RecentSymbols<true>(now, undefined, (symbol) => metrics.forgetSymbol(symbol, "bars"));
    this.#sub = nc.subscribe("silver.>");
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    for await (const msg of this.#sub) {
      const symbol = symbolOfSubject(msg.subject);
      try {
        const bar = decodeSilverBar(msg.subject, msg.data);
        if (symbol === null) throw new Error("no symbol");
        this.#symbols.set(symbol, true);
        this.metrics.bar(symbol, bar.emittedAt - bar.closedByIngestTime);
      } catch {
        this.metrics.malformed.inc({ subject_kind: "silver" });
      }
    }
  }

  symbols(): string[] {
    return this.#symbols.symbols();
  }

  async close(): Promise<void> {
    this.#sub.unsubscribe();
    await this.#done;
  }
}
