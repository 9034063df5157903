/**
 * A node's Prometheus metrics: one prom-client registry per node, served by the web role on
 * `/metrics`. Components push what happens (trades accepted, bars' latency, rows written, lake
 * commits); what the node *is* (actors, mailboxes, partitions, consumer backlog) is read lazily in
 * `collect()` when scraped, so nothing ticks in the background.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { ActorSystem } from "../runtime/actor/index.js";
import type { OwnershipView } from "../runtime/cluster/types.js";
import type { RegionStats } from "../runtime/cluster/region/region.js";
import { RateMeter } from "../runtime/latency.js";
import { auditPublishStats } from "../admin/audit-publish.js";
import { DEFAULT_TOP_SYMBOLS, topSymbolCounter, TopSymbolTotals } from "../runtime/top-symbols.js";
import { registerLogMetrics } from "./log-metrics.js";
import { registerNatsServerMetrics, type NatsServerMonitorOptions } from "./nats-server-metrics.js";
import { registerIngestMetrics, type IngestStatusSource } from "./ingest-metrics.js";
import { registerLakeMetrics, registerMarketMetrics, registerMlopsMetrics, type LakeMetrics, registerQualityMetrics, totalCounter } from "./role-metrics.js";
import type { MarketCounters } from "../actors/symbol/nats-sink.js";
import type { AuditorMemory } from "../actors/quality/actor.js";
import type { MlopsEvent } from "../mlops/events.js";

/** Trade→bar latency is milliseconds to a few seconds (a replay catching up can reach minutes). */
const TRADE_TO_BAR_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** What the scrape reads from the running node; each part is registered by the component that owns it. */
interface Sources {
  system?: Pick<ActorSystem, "stats">;
  ownership?: Pick<OwnershipView, "ownedPartitions">;
  regions: Map<string, () => RegionStats | undefined>;
  /** The log (streams, consumers, writer lag), read from NATS at scrape time. */
  jsm?: JetStreamManager;
  /** The ingest component's last status (refreshed every second), on an ingest node. */
  ingest?: IngestStatusSource;
  /** The NATS servers' monitoring endpoints (NATS_MONITOR_URL), read at scrape time. */
  natsMonitorUrls: readonly string[];
}

export class NodeMetrics {
  readonly registry: Registry;
  /** Closing trade's ingest → bar emitted (seconds), observed per published bar. */
  readonly tradeToBar: Histogram;
  readonly tradesAccepted: Counter<"symbol">;
  readonly servingRowsWritten: Counter;
  readonly servingFailures: Counter<"kind">;
  readonly lakeCommittedSeq: Gauge<"table">;
  readonly #sources: Sources = { regions: new Map(), natsMonitorUrls: [] };
  #natsServerEvents: NatsServerMonitorOptions["onChange"];
  readonly #tradeRate = new RateMeter(10);
  readonly #tradesBySymbol: TopSymbolTotals;

  /** `topSymbols`: symbols with their own series in symbol-labelled metrics, the rest as "other" (config METRICS_TOP_SYMBOLS, default 20). */
  constructor(options: { registry?: Registry; processMetrics?: boolean; topSymbols?: number } = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
    const registers = [registry];
    const sources = this.#sources;
    const actorStats = () => sources.system?.stats() ?? [];

    new Gauge({ name: "node_actors", help: "Live actors in this node's actor system", registers, collect() {
      this.set(actorStats().length);
    } });
    new Gauge({ name: "node_mailbox_depth_total", help: "Messages waiting in all actor mailboxes", registers, collect() {
      this.set(actorStats().reduce((n, s) => n + s.mailboxDepth, 0));
    } });
    new Gauge({ name: "node_actor_restarts", help: "Restarts of the live actors (since each was spawned)", registers, collect() {
      this.set(actorStats().reduce((n, s) => n + s.restarts, 0));
    } });
    new Gauge({ name: "node_partitions_owned", help: "Partitions this node holds the lease for and runs", registers, collect() {
      this.set(sources.ownership?.ownedPartitions().size ?? 0);
    } });
    new Gauge({ name: "region_consumer_pending", help: "Log messages delivered to a partition's consumer and not yet acknowledged", labelNames: ["region", "partition"], registers, collect() {
      // Partitions move between nodes: rebuild the label set on each scrape so a lost one disappears.
      this.reset();
      for (const [region, stats] of sources.regions) {
        for (const p of stats()?.partitions ?? []) if (p.consumer) this.set({ region, partition: String(p.partition) }, p.consumer.pending);
      }
    } });
    new Gauge({ name: "region_partition_stalled", help: "1 while the stall watchdog finds a partition stalled (log input waiting, no progress)", labelNames: ["region", "partition"], registers, collect() {
      this.reset();
      for (const [region, stats] of sources.regions) {
        for (const p of stats()?.partitions ?? []) if (p.stall && p.stall.stalledForMs > 0) this.set({ region, partition: String(p.partition) }, 1);
      }
    } });
    new Gauge({ name: "region_partition_stalls", help: "Partition stalls the watchdog detected since the region started on this node", labelNames: ["region"], registers, collect() {
      this.reset();
      for (const [region, stats] of sources.regions) {
        const s = stats();
        if (s?.stalls !== undefined) this.set({ region }, s.stalls);
      }
    } });
    // Process-wide: this node's admin endpoint and, on a web node, the web server's own records.
    totalCounter(registry, "admin_audit_records_lost_total", "Audit records given up after every retry: the AUDIT stream never acknowledged them (each also logged as an ERROR)", () => auditPublishStats.lost);
    totalCounter(registry, "admin_audit_publish_retries_total", "Audit record publishes retried (no acknowledgement from the AUDIT stream in time, or no stream)", () => auditPublishStats.retries);
    const rate = this.#tradeRate;
    new Gauge({ name: "market_trades_per_second", help: "Trades accepted by this node's symbol actors per second, over the last 10 s", registers, collect() {
      this.set(rate.perSecond());
    } });

    this.#tradesBySymbol = new TopSymbolTotals(options.topSymbols ?? DEFAULT_TOP_SYMBOLS);
    this.tradesAccepted = topSymbolCounter({ name: "market_trades_accepted_total", help: "Trades accepted by symbol actors (summed from their ticks)", registry, totals: this.#tradesBySymbol });
    this.tradeToBar = new Histogram({ name: "market_trade_to_bar_latency_seconds", help: "Closing trade's ingest time to silver bar emitted", buckets: TRADE_TO_BAR_BUCKETS, registers });
    this.servingRowsWritten = new Counter({ name: "serving_rows_written_total", help: "Rows the serving writer upserted into the database", registers });
    this.servingFailures = new Counter({ name: "serving_write_failures_total", help: "Serving writer failures: rejected messages (to the DLQ) and failed batches (retried)", labelNames: ["kind"], registers });
    this.lakeCommittedSeq = new Gauge({ name: "lake_last_committed_log_sequence", help: "Last log sequence committed to a lake table by this node's writer", labelNames: ["table"], registers });
    registerLogMetrics(registry, () => sources.jsm);
    registerIngestMetrics(registry, () => sources.ingest?.());
    registerNatsServerMetrics(registry, () => sources.natsMonitorUrls, { onChange: (change) => this.#natsServerEvents?.(change) });
  }

  /** The market role's counts: bars, candles, late, invalid and missing trades, prediction failures. */
  watchMarket(counters: Omit<MarketCounters, "latency">): void {
    registerMarketMetrics(this.registry, counters);
  }

  /** The quality gate's runs (the quality component registers its auditor's memory). */
  watchQuality(memory: Pick<AuditorMemory, "last" | "runs" | "running">): void {
    registerQualityMetrics(this.registry, memory);
  }

  /** Lake files written, live per table, and compactions (the lake component registers it). */
  watchLake(tables: readonly string[]): LakeMetrics {
    return registerLakeMetrics(this.registry, tables);
  }

  /** MLOps events and the training queue (the mlops component registers it and sends each event to the returned sink). */
  watchMlops(pool: () => { pending: number; capacity: number } | null): (event: MlopsEvent) => void {
    return registerMlopsMetrics(this.registry, pool);
  }

  /** The exchange feed's connection, gaps and spool (the ingest component registers it). */
  watchIngest(status: IngestStatusSource): void {
    this.#sources.ingest = status;
  }

  /** The log's streams, consumers and writer lag (the web component registers it with its NATS connection). */
  watchLog(jsm: JetStreamManager): void {
    this.#sources.jsm = jsm;
  }

  /** The NATS servers' own health, read from their monitoring endpoints (the web component registers NATS_MONITOR_URL); `onChange` hears a server stop or start answering. */
  watchNatsServers(urls: readonly string[], onChange?: NatsServerMonitorOptions["onChange"]): void {
    this.#sources.natsMonitorUrls = urls;
    this.#natsServerEvents = onChange;
  }

  /** The node itself (the web component registers it: /metrics exists only where it runs). */
  watchNode(system: Pick<ActorSystem, "stats">, ownership: Pick<OwnershipView, "ownedPartitions">): void {
    this.#sources.system = system;
    this.#sources.ownership = ownership;
  }

  watchRegion(name: string, stats: () => RegionStats | undefined): void {
    this.#sources.regions.set(name, stats);
  }

  /** A symbol actor's tick: the trades it accepted since its previous tick. */
  tradesAcceptedBy(symbol: string, count: number): void {
    if (count <= 0) return;
    this.#tradesBySymbol.add(symbol, count);
    this.#tradeRate.add(count);
  }

  observeTradeToBar(ms: number): void {
    if (Number.isFinite(ms)) this.tradeToBar.observe(Math.max(0, ms) / 1000);
  }
}
