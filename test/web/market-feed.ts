/**
 * A test publisher in the platform's contracts: a seeded random walk for one symbol that seeds
 * CANDLES/SILVER history, then publishes live ticks (with the in-progress candle), a silver bar
 * with a prediction every `barEveryMs`, and closes candles as minutes roll.
 */
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { LiveTick } from "../../src/actors/symbol/messages.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import type { Candle } from "../../src/market/candles.js";
import { seededRandom } from "../../src/runtime/random.js";
import { json } from "./fixtures.js";

const MINUTE = 60_000;

export class SyntheticMarketFeed {
  readonly #js: JetStreamClient;
  readonly #rand: () => number;
  #price: number;
  #tradeId = 5_000_000;
  #candle: Candle | null = null;
  #timers: ReturnType<typeof setInterval>[] = [];
  #recentPrices: number[] = [];
  ticksPublished = 0;

  constructor(
    private readonly pub: NatsConnection,
    readonly symbol: string,
    startPrice: number,
    seed = 7,
  ) {
    this.#js = jetstream(pub);
    this.#rand = seededRandom(seed);
    this.#price = startPrice;
  }

  #step(scale = 0.0004): number {
    // Box-Muller normal step on the log price.
    const z = Math.sqrt(-2 * Math.log(this.#rand() + 1e-12)) * Math.cos(2 * Math.PI * this.#rand());
    this.#price *= Math.exp(z * scale);
    return Math.round(this.#price * 100) / 100;
  }

  #candleOf(openTime: number, prices: number[], volume: number): Candle {
    return {
      symbol: this.symbol,
      intervalMs: MINUTE,
      openTime,
      endTime: openTime + MINUTE,
      open: prices[0]!,
      high: Math.max(...prices),
      low: Math.min(...prices),
      close: prices[prices.length - 1]!,
      volume,
      quoteVolume: volume * prices[prices.length - 1]!,
      tradeCount: prices.length * 7,
      firstTradeId: this.#tradeId,
      lastTradeId: this.#tradeId + prices.length * 7,
      closedByIngestTime: openTime + MINUTE + 4,
    };
  }

  #bar(windowEnd: number, prices: number[]): SilverBar {
    const close = prices[prices.length - 1]!;
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    const sd = Math.sqrt(prices.reduce((a, b) => a + (b - mean) ** 2, 0) / prices.length);
    const drift = (close - prices[0]!) * 0.3;
    const closedByIngestTime = windowEnd + 2_000 + Math.floor(this.#rand() * 40);
    return {
      symbol: this.symbol,
      windowStart: windowEnd - 30_000,
      windowEnd,
      open: prices[0]!,
      high: Math.max(...prices),
      low: Math.min(...prices),
      close,
      avgPrice: mean,
      vwap: mean,
      volume: prices.length * 0.03,
      tradeCount: prices.length,
      volatility: Math.max(sd, close * 0.0002),
      firstTradeId: this.#tradeId - prices.length,
      lastTradeId: this.#tradeId,
      firstTradeTime: windowEnd - 30_000,
      lastTradeTime: windowEnd - 50,
      closedByIngestTime,
      features: null,
      prediction: Math.round((close + drift) * 100) / 100,
      modelVersion: "gbm-2026.01.05-r3",
      emittedAt: closedByIngestTime + 3 + Math.floor(this.#rand() * 12),
    };
  }

  /** `minutes` closed candles and a bar every 10 s over the last 10 minutes, ending now. */
  async seedHistory(minutes: number, now = Date.now()): Promise<void> {
    const current = Math.floor(now / MINUTE) * MINUTE;
    for (let m = minutes; m >= 1; m--) {
      const openTime = current - m * MINUTE;
      const prices = Array.from({ length: 12 }, () => this.#step(0.0009));
      await this.#js.publish(`candles.${this.symbol}`, json(this.#candleOf(openTime, prices, 2 + this.#rand() * 18)));
      if (m <= 10) {
        for (let k = 1; k <= 6; k++) await this.#js.publish(`silver.${this.symbol}`, json(this.#bar(openTime + k * 10_000, prices.slice(0, k * 2))));
      }
      this.#recentPrices = prices;
    }
  }

  tick(now = Date.now()): LiveTick {
    const price = this.#step(0.00015);
    const openTime = Math.floor(now / MINUTE) * MINUTE;
    const qty = Math.round(this.#rand() * 50_000) / 100_000;
    if (this.#candle !== null && this.#candle.openTime !== openTime) {
      void this.#js.publish(`candles.${this.symbol}`, json(this.#candle));
      this.#candle = null;
    }
    const c = this.#candle;
    this.#candle =
      c === null
        ? { ...this.#candleOf(openTime, [price], qty), tradeCount: 1 }
        : { ...c, high: Math.max(c.high, price), low: Math.min(c.low, price), close: price, volume: c.volume + qty, tradeCount: c.tradeCount + 1, lastTradeId: this.#tradeId };
    this.#recentPrices.push(price);
    if (this.#recentPrices.length > 40) this.#recentPrices.shift();
    this.#tradeId += 1 + Math.floor(this.#rand() * 4);
    const tick: LiveTick = {
      symbol: this.symbol,
      price,
      quantity: qty,
      tradeId: this.#tradeId,
      tradeTime: now - 2,
      ingestTime: now - 1,
      tradesSinceLastTick: 1 + Math.floor(this.#rand() * 6),
      candle: this.#candle,
      emittedAt: now,
    };
    this.pub.publish(`ticks.${this.symbol}`, json(tick));
    this.ticksPublished++;
    return tick;
  }

  async publishBar(now = Date.now()): Promise<void> {
    await this.#js.publish(`silver.${this.symbol}`, json(this.#bar(Math.floor(now / 1000) * 1000, this.#recentPrices.slice(-20))));
  }

  /** Publishes a tick every `tickEveryMs` and a bar every `barEveryMs` until stop(). */
  start(tickEveryMs = 100, barEveryMs = 1_000): void {
    this.#timers.push(setInterval(() => this.tick(), tickEveryMs));
    this.#timers.push(setInterval(() => void this.publishBar().catch(() => undefined), barEveryMs));
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }
}
