/**
 * The `market` role: one SymbolActor per symbol as a sharded entity, fed by its partition's durable
 * consumer on TRADES (md.trades.<partition>.<SYMBOL>), publishing bars, candles and ticks.
 */
import { jetstream } from "@nats-io/jetstream";
import type { TradeLogEntry } from "../../ingest/batch-codec.js";
import { ShardRegion } from "../../runtime/cluster/region/region.js";
import { dlqSubject, STREAMS, TRADE_SUBJECT_PREFIX } from "../../runtime/nats/spec.js";
import { symbolEntity, tradeBatchCodec, type SymbolCommand } from "../../actors/symbol/entity.js";
import { isPartitionLogSubject, partitionMessageParts } from "../../ingest/partition-log.js";
import { natsSymbolSink, newMarketCounters } from "../../actors/symbol/nats-sink.js";
import { naivePredictor, type Predictor } from "../../ml/predictor.js";
import type { NodeComponent, NodeContext } from "../component.js";
import type { NodeMetrics } from "../metrics.js";
import type { PartitionLag } from "../../runtime/status.js";
import { regionAccount } from "../region-account.js";

export const SYMBOL_REGION = "symbols";

export interface MarketComponentOptions {
  /** The champion source; until one is wired in, every symbol uses the naive forecast. */
  champions?: ChampionSource;
  /** Opens the champion source once NATS is there (the node's ChampionCache over the KV pointer). */
  openChampions?: (ctx: Omit<NodeContext, "admin" | "shutdown" | "ledger">) => Promise<ChampionSource & { stop(): void | Promise<void> }>;
  tickIntervalMs?: number;
  snapshotEveryMessages?: number;
  snapshotEveryMs?: number;
  /** The node's Prometheus metrics (trade→bar latency, trades accepted, consumer backlog). */
  metrics?: NodeMetrics;
}

export interface ChampionSource {
  get(symbol: string): Predictor | undefined;
  onChange(listener: (symbol: string, predictor: Predictor) => void): () => void;
}

export function marketComponent(options: MarketComponentOptions = {}): NodeComponent & { region(): ShardRegion<SymbolCommand, TradeLogEntry> | undefined } {
  const counters = newMarketCounters();
  const live = new Map<string, { tell(message: SymbolCommand): void }>();
  let region: ShardRegion<SymbolCommand, TradeLogEntry> | undefined;
  let unwatch = () => {};
  let champions: ChampionSource | undefined = options.champions;
  let closeChampions: () => void | Promise<void> = () => {};
  return {
    name: "market",
    region: () => region,
    async partitionHost(ctx) {
      const js = jetstream(ctx.nc);
      if (!champions && options.openChampions) {
        const opened = await options.openChampions(ctx);
        champions = opened;
        closeChampions = () => opened.stop();
      }
      const created = await ShardRegion.start<SymbolCommand, TradeLogEntry>({
        name: SYMBOL_REGION,
        system: ctx.system,
        ownership: ctx.ownership,
        nc: ctx.nc,
        entity: symbolEntity({
          sink: natsSymbolSink(ctx.nc, js, counters, options.metrics),
          predictorFor: (symbol) => champions?.get(symbol) ?? naivePredictor,
          windows: { sizeMs: ctx.config.windowSizeMs, slideMs: ctx.config.windowSlideMs, allowedLatenessMs: ctx.config.allowedLatenessMs },
          ...(options.tickIntervalMs !== undefined ? { tickIntervalMs: options.tickIntervalMs } : {}),
          onLive: (symbol, entity) => (entity ? live.set(symbol, entity) : live.delete(symbol)),
        }),
        input: {
          stream: STREAMS.trades,
          subjectPrefix: TRADE_SUBJECT_PREFIX,
          codec: tradeBatchCodec,
          // A per-partition message (src/ingest/partition-log.ts) feeds each of its symbols' entities.
          fanOut: (subject, data) => (isPartitionLogSubject(subject) ? partitionMessageParts(data) : undefined),
          onUndecodable: (subject: string, seq: number, error: unknown) => {
            ctx.log.warn("undecodable trade batch sent to the DLQ", { subject, seq, error: String(error) });
            ctx.nc.publish(dlqSubject("undecodable-trade-batch"), new TextEncoder().encode(JSON.stringify({ subject, seq, reason: String(error) })));
          },
        },
        snapshots: { everyMessages: options.snapshotEveryMessages ?? 500, everyMs: options.snapshotEveryMs ?? 1000 },
        ...(ctx.config.partitionStallMs > 0
          ? { stallWatch: { stallAfterMs: ctx.config.partitionStallMs, onStall: (stall) => ctx.log.error(stall.message, { partition: stall.partition, backlog: stall.backlog, stalledForMs: stall.stalledForMs }) } }
          : {}),
      });
      region = created;
      options.metrics?.watchRegion(SYMBOL_REGION, () => region?.stats());
      unwatch = champions?.onChange((symbol, predictor) => live.get(symbol)?.tell({ type: "model-changed", predictor })) ?? unwatch;
      return created;
    },
    async start(ctx) {
      options.metrics?.watchMarket(counters);
      ctx.ledger?.account("market", regionAccount({ region: SYMBOL_REGION, stream: STREAMS.trades, ownership: ctx.ownership, stats: () => region?.stats() }));
      ctx.shutdown.add("close", "market region", async () => {
        unwatch();
        await region?.close();
        await closeChampions();
      });
    },
    status() {
      return {
        liveSymbols: [...live.keys()].sort(),
        bars: counters.bars,
        candles: counters.candles,
        ticks: counters.ticks,
        lateTrades: counters.lateTrades,
        invalidTrades: counters.invalidTrades,
        gaps: counters.gaps,
        missingTrades: counters.missingTrades,
        predictionFailures: counters.predictionFailures,
        tradeToBarLatencyMs: counters.latency.summary(),
        region: summarizeRegion(region?.stats()),
      };
    },
    partitionLag() {
      return (region?.stats().partitions ?? []).flatMap((p): PartitionLag[] =>
        p.consumer ? [{ region: SYMBOL_REGION, partition: p.partition, backlog: p.consumer.backlog, pending: p.consumer.pending, unhandled: p.consumer.unhandled, stalledForMs: p.stall?.stalledForMs ?? 0 }] : [],
      );
    },
  };
}

function summarizeRegion(stats: ReturnType<ShardRegion<SymbolCommand, TradeLogEntry>["stats"]> | undefined) {
  if (!stats) return undefined;
  const running = stats.partitions.filter((p) => p.state === "running").length;
  const pending = stats.partitions.reduce((n, p) => n + (p.consumer?.pending ?? 0), 0);
  const backlog = stats.partitions.reduce((n, p) => n + (p.consumer?.backlog ?? 0), 0);
  // Partitions the stall watchdog reported (stalled now, or restarted since they started here).
  const stalled = stats.partitions.flatMap((p) => (p.stall ? [p.stall] : []));
  return { partitionsRunning: running, logPending: pending, logBacklog: backlog, held: stats.held, resent: stats.resent, duplicates: stats.duplicates, stalls: stats.stalls ?? 0, stalled };
}
