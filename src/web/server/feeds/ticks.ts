/**
 * One core-NATS subscription on `ticks.>` for the whole server: decodes each LiveTick, records
 * metrics, keeps the latest tick per symbol and fans out to subscribers. Ticks are latest-state
 * data (a newer tick supersedes an older one), so a subscriber that reconnects gets the current
 * tick at once and the live stream after it, not the ticks it missed.
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { LiveTick } from "../../../actors/symbol/messages.js";
import { decodeTick, symbolOfSubject } from "../decode.js";
import type { WebMetrics } from "../metrics.js";
import { RecentSymbols } from "./recent-symbols.js";

export type TickListener = (tick: LiveTick) => void;

export class TickHub {
  /** Symbols without a tick for 10 minutes are forgotten (and leave the metrics' top-N). */
  readonly #latest: RecentSymbols<LiveTick>;
  readonly #listeners = new Map<string, Set<TickListener>>();
  readonly #sub: Subscription;
  readonly #done: Promise<void>;

  constructor(
    nc: NatsConnection,
    private readonly metrics: WebMetrics,
    private readonly now: () => number = Date.now,
    subject = "ticks.>",
  ) {
    this.#latest = new RecentSymbols<LiveTick>(now, undefined, (symbol) => metrics.forgetSymbol(symbol, "ticks"));
    this.#sub = nc.subscribe(subject);
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    for await (const msg of this.#sub) {
      const symbol = symbolOfSubject(msg.subject);
      let tick: LiveTick;
      try {
        tick = decodeTick(msg.subject, msg.data);
      } catch {
        this.metrics.malformed.inc({ subject_kind: "ticks" });
        continue;
      }
      if (symbol === null || tick.symbol !== symbol) {
        this.metrics.malformed.inc({ subject_kind: "ticks" });
        continue;
      }
      this.metrics.tick(symbol, tick.tradesSinceLastTick, this.now() - tick.ingestTime);
      this.#latest.set(symbol, tick);
      for (const l of this.#listeners.get(symbol) ?? []) l(tick);
    }
  }

  latest(symbol: string): LiveTick | undefined {
    return this.#latest.get(symbol);
  }

  /** Symbols with a tick in the last 10 minutes. */
  symbols(): string[] {
    return this.#latest.symbols();
  }

  /** Registers a listener; returns the function that removes it. */
  listen(symbol: string, listener: TickListener): () => void {
    let set = this.#listeners.get(symbol);
    if (set === undefined) this.#listeners.set(symbol, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(symbol);
    };
  }

  async close(): Promise<void> {
    this.#sub.unsubscribe();
    await this.#done;
  }
}
