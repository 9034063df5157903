/**
 * What the web layer measures, registered on the node's prom-client registry (or its own).
 * Latencies are computed from the timestamps the producers stamp: trade→tick is
 * (receipt here − the trade's ingestTime), trade→prediction is (silver emittedAt −
 * closedByIngestTime, i.e. the arrival of the trade that closed the window).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from "prom-client";
import { LatencyWindow, RateMeter, type LatencySummary } from "../../runtime/latency.js";

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function once<M extends Metric>(registry: Registry, name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
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

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.ticks = once(registry, "web_ticks_received_total", () => new Counter({ name: "web_ticks_received_total", help: "Live ticks received from ticks.<SYMBOL>", labelNames: ["symbol"], registers }));
    this.trades = once(registry, "web_trades_seen_total", () => new Counter({ name: "web_trades_seen_total", help: "Trades covered by received ticks (sum of tradesSinceLastTick)", labelNames: ["symbol"], registers }));
    this.bars = once(registry, "web_bars_received_total", () => new Counter({ name: "web_bars_received_total", help: "Silver bars received from silver.<SYMBOL>", labelNames: ["symbol"], registers }));
    this.malformed = once(registry, "web_malformed_messages_total", () => new Counter({ name: "web_malformed_messages_total", help: "Messages refused for breaking their contract", labelNames: ["subject_kind"], registers }));
    this.tradeToTick = once(registry, "web_trade_to_tick_latency_seconds", () => new Histogram({ name: "web_trade_to_tick_latency_seconds", help: "Trade ingest to tick receipt by the web server", buckets: LATENCY_BUCKETS, registers }));
    this.tradeToPrediction = once(registry, "web_trade_to_prediction_latency_seconds", () => new Histogram({ name: "web_trade_to_prediction_latency_seconds", help: "Closing trade ingest to silver bar (with prediction) emitted", buckets: LATENCY_BUCKETS, registers }));
    this.subscriptions = once(registry, "web_active_subscriptions", () => new Gauge({ name: "web_active_subscriptions", help: "Open tRPC subscriptions", labelNames: ["procedure"], registers }));
  }

  tick(symbol: string, tradesSinceLastTick: number, latencyMs: number): void {
    this.ticks.inc({ symbol });
    this.trades.inc({ symbol }, tradesSinceLastTick);
    this.tradeToTick.observe(latencyMs / 1000);
    this.#tickLatency.add(latencyMs);
    this.#tickRate.add();
    this.#tradeRate.add(tradesSinceLastTick);
  }

  bar(symbol: string, latencyMs: number): void {
    this.bars.inc({ symbol });
    this.tradeToPrediction.observe(latencyMs / 1000);
    this.#predictionLatency.add(latencyMs);
    this.#barRate.add();
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
