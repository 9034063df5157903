/**
 * Client + publisher wired together: trades and rejected frames flow into the log, and the
 * publisher's backpressure pauses the sockets. This is the unit a supervisor actor wraps.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { BinanceStreamClient, type ClientOptions } from "./client.js";
import { TradeLogPublisher, type PublisherOptions } from "./publisher.js";

export interface IngestorOptions {
  client: Omit<ClientOptions, "sink">;
  publisher?: PublisherOptions;
  /** Look up high-water marks of the configured symbols before connecting. Default true. */
  prime?: boolean;
}

export class Ingestor {
  readonly client: BinanceStreamClient;
  readonly publisher: TradeLogPublisher;
  #unsubscribe: () => void;

  private constructor(client: BinanceStreamClient, publisher: TradeLogPublisher) {
    this.client = client;
    this.publisher = publisher;
    this.#unsubscribe = publisher.pressure.add((on) => (on ? client.pause() : client.resume()));
  }

  static async start(nc: NatsConnection, options: IngestorOptions): Promise<Ingestor> {
    // Idle marks only while the symbol's feed is up (the client exists by the first mark check).
    let client: BinanceStreamClient | undefined;
    const idleMarks = options.publisher?.idleMarks;
    const publisher = await TradeLogPublisher.start(nc, idleMarks === undefined ? options.publisher : { ...options.publisher, idleMarks: { ...idleMarks, live: (_source, symbol) => client?.isLive(symbol) ?? false } });
    if (options.prime ?? true) {
      await publisher.prime(options.client.source ?? "binance", options.client.symbols).catch(() => {
        // NATS down at start: marks load lazily, and the spool drain re-checks against the stream.
      });
    }
    client = new BinanceStreamClient({
      ...options.client,
      sink: { trade: (t) => publisher.accept(t), invalid: (raw, reason, message) => publisher.reject(raw, reason, message, options.client.source ?? "binance") },
    });
    const ingestor = new Ingestor(client, publisher);
    if (publisher.paused) client.pause();
    client.start();
    return ingestor;
  }

  /** Shutdown order: stop reading, then flush the log (or spool what cannot be flushed). */
  async close(timeoutMs = 10_000): Promise<void> {
    this.client.stop();
    this.#unsubscribe();
    await this.publisher.close(timeoutMs);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
