/**
 * What the web layer measures, registered on the node's prom-client registry (or its own).
 * Latencies are computed from the timestamps the producers stamp: trade→tick is
 * (receipt here − the trade's ingestTime), trade→prediction is (silver emittedAt −
 * closedByIngestTime, i.e. the arrival of the trade that closed the window).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { LatencyWindow, RateMeter, type LatencySummary } from "../../runtime/latency.js";
import { DEFAULT_TOP_SYMBOLS, topSymbolCounter, TopSymbolTotals } from "../../runtime/top-symbols.js";

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function once<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** The totals behind each symbol counter, so a second WebMetrics on the same registry adds to the same series. */
const totalsOf = new WeakMap<Counter<"symbol">, TopSymbolTotals>();

function symbolCounter(registry: Registry, name: string, help: string, limit: number): { counter: Counter<"symbol">; totals: TopSymbolTotals } {
  const counter = once(registry, name, () => {
    const totals = new TopSymbolTotals(limit);
    const made = topSymbolCounter({ name, help, registry, totals });
    totalsOf.set(made, totals);
    return made;
  });
  const totals = totalsOf.get(counter);
  if (totals === undefined) throw new Error(`metric ${name} is already registered without symbol totals`);
  return { counter, totals };
}

export interface WebFigures {
  ticksPerSecond: number;
  tradesPerSecond: number;
  barsPerSecond: number;
  tradeToTickMs: LatencySummary;
  tradeToPredictionMs: LatencySummary;
  subscribers: number;
}

export class WebMetrics {
  readonly ticks: Counter<"symbol">;
  readonly trades: Counter<"symbol">;
  readonly bars: Counter<"symbol">;
  readonly malformed: Counter<"subject_kind">;
  readonly tradeToTick: Histogram;
  readonly tradeToPrediction: Histogram;
  readonly subscriptions: Gauge<"procedure">;
  readonly #tickLatency = new LatencyWindow();
  readonly #predictionLatency = new LatencyWindow();
  readonly #tickRate = new RateMeter();
  readonly #tradeRate = new RateMeter();
  readonly #barRate = new RateMeter(60);
  #subscribers = 0;

  readonly #ticksBy: TopSymbolTotals;
  readonly #tradesBy: TopSymbolTotals;
  readonly #barsBy: TopSymbolTotals;

  /** @param topSymbols symbols with their own series in the symbol-labelled counters (METRICS_TOP_SYMBOLS). */
  constructor(readonly registry: Registry, topSymbols?: number) {
    const registers = [registry];
    const ticks = symbolCounter(registry, "web_ticks_received_total", "Live ticks received from ticks.<SYMBOL>", topSymbols ?? DEFAULT_TOP_SYMBOLS);
    const trades = symbolCounter(registry, "web_trades_seen_total", "Trades covered by received ticks (sum of tradesSinceLastTick)", topSymbols ?? DEFAULT_TOP_SYMBOLS);
    const bars = symbolCounter(registry, "web_bars_received_total", "Silver bars received from silver.<SYMBOL>", topSymbols ?? DEFAULT_TOP_SYMBOLS);
    [this.ticks, this.#ticksBy] = [ticks.counter, ticks.totals];
    [this.trades, this.#tradesBy] = [trades.counter, trades.totals];
    [this.bars, this.#barsBy] = [bars.counter, bars.totals];
    this.malformed = once(registry, "web_malformed_messages_total", () => new Counter({ name: "web_malformed_messages_total", help: "Messages refused for breaking their contract", labelNames: ["subject_kind"], registers }));
    this.tradeToTick = once(registry, "web_trade_to_tick_latency_seconds", () => new Histogram({ name: "web_trade_to_tick_latency_seconds", help: "Trade ingest to tick receipt by the web server", buckets: LATENCY_BUCKETS, registers }));
    this.tradeToPrediction = once(registry, "web_trade_to_prediction_latency_seconds", () => new Histogram({ name: "web_trade_to_prediction_latency_seconds", help: "Closing trade ingest to silver bar (with prediction) emitted", buckets: LATENCY_BUCKETS, registers }));
    this.subscriptions = once(registry, "web_active_subscriptions", () => new Gauge({ name: "web_active_subscriptions", help: "Open tRPC subscriptions", labelNames: ["procedure"], registers }));
  }

  tick(symbol: string, tradesSinceLastTick: number, latencyMs: number): void {
    this.#ticksBy.add(symbol);
    this.#tradesBy.add(symbol, tradesSinceLastTick);
    this.tradeToTick.observe(latencyMs / 1000);
    this.#tickLatency.add(latencyMs);
    this.#tickRate.add();
    this.#tradeRate.add(tradesSinceLastTick);
  }

  bar(symbol: string, latencyMs: number): void {
    this.#barsBy.add(symbol);
    this.tradeToPrediction.observe(latencyMs / 1000);
    this.#predictionLatency.add(latencyMs);
    this.#barRate.add();
  }

  /** A symbol that left (no tick, or no bar, for a long time): its counts stay in the sums, under "other". */
  forgetSymbol(symbol: string, feed: "ticks" | "bars"): void {
    for (const t of feed === "ticks" ? [this.#ticksBy, this.#tradesBy] : [this.#barsBy]) t.forget(symbol);
  }

  subscribed(procedure: string, delta: 1 | -1): void {
    this.subscriptions.inc({ procedure }, delta);
    this.#subscribers += delta;
  }

  figures(): WebFigures {
    return {
      ticksPerSecond: this.#tickRate.perSecond(),
      tradesPerSecond: this.#tradeRate.perSecond(),
      barsPerSecond: this.#barRate.perSecond(),
      tradeToTickMs: this.#tickLatency.summary(),
      tradeToPredictionMs: this.#predictionLatency.summary(),
      subscribers: this.#subscribers,
    };
  }
}

/** A registry of its own with the process metrics, for a server started without the node's. */
export function defaultRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
