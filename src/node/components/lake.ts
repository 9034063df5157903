/**
 * The `lake` role: bronze (every trade) and silver (every bar) lake writers, each a supervised
 * actor around an exactly-once JetStream → Delta consumer. A Delta `txn` appId admits one writer
 * at a time, so the writers run on whichever lake node holds partition 0's lease: the cluster's
 * lease is their fence, and they move with it. Admin: `lake-optimize <table>`, `lake-vacuum
 * <table> [--dry-run]`; compaction also runs in the background every COMPACT_EVERY.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { restartForever } from "../../runtime/actor/index.js";
import type { PartitionHost } from "../../runtime/cluster/types.js";
import { STREAMS } from "../../runtime/nats/spec.js";
import { Lake, lakeConfigFromConfig, bronzeTradesDefinition, silverBarsDefinition, optimize, vacuum, BRONZE_TRADES_TABLE, SILVER_BARS_TABLE } from "../../lake/index.js";
import type { FlushResult } from "../../lake/index.js";
import { BRONZE_WRITER, SILVER_WRITER, bronzeWriterActor, silverWriterActor } from "../../actors/lake/writers.js";
import { compactorActor } from "../../actors/lake/compactor.js";
import { AdminBadRequest } from "../../admin/service.js";
import type { NodeComponent, NodeContext } from "../component.js";
import type { NodeMetrics } from "../metrics.js";
import type { LakeMetrics } from "../role-metrics.js";

export const LAKE_WRITER_PARTITION = 0;
const WRITERS = [BRONZE_WRITER, SILVER_WRITER] as const;

export function lakeComponent(options: { compactEveryMs?: number; metrics?: NodeMetrics } = {}): NodeComponent {
  let lake: Lake | undefined;
  const commits: Record<string, { version: number; lastLogSeq: number; rows: number } | null> = { [BRONZE_TRADES_TABLE]: null, [SILVER_BARS_TABLE]: null };
  const errors: Record<string, string | null> = { [BRONZE_TRADES_TABLE]: null, [SILVER_BARS_TABLE]: null };
  const committedRows: Record<string, number> = { [BRONZE_TRADES_TABLE]: 0, [SILVER_BARS_TABLE]: 0 };
  let running = false;
  let lakeMetrics: LakeMetrics | undefined;
  return {
    name: "lake",
    partitionHost(ctx): PartitionHost {
      lakeMetrics ??= options.metrics?.watchLake([BRONZE_TRADES_TABLE, SILVER_BARS_TABLE]);
      const lakeConfig = lakeConfigFromConfig(ctx.config);
      lake = Lake.open(lakeConfig.uri, lakeConfig.s3);
      const onCommit = (table: string) => (r: FlushResult) => {
        commits[table] = { version: r.version, lastLogSeq: r.lastLogSeq, rows: r.rows };
        committedRows[table] = (committedRows[table] ?? 0) + r.rows;
        options.metrics?.lakeCommittedSeq.set({ table }, r.lastLogSeq);
        lakeMetrics?.committed(table, r.files);
        errors[table] = null;
      };
      const onError = (table: string) => (err: unknown) => {
        errors[table] = err instanceof Error ? err.message : String(err);
        ctx.log.warn(`lake writer ${table} backing off`, { error: errors[table] });
      };
      const onReject = (table: string) => (seq: number, subject: string, err: unknown) => {
        ctx.log.warn(`lake writer ${table} skipped a message it cannot decode`, { seq, subject, error: err instanceof Error ? err.message : String(err) });
      };
      return {
        async startPartition(partition) {
          if (partition !== LAKE_WRITER_PARTITION) return;
          const js = jetstream(ctx.nc);
          const jsm = await jetstreamManager(ctx.nc);
          const bronze = await lake!.ensureTable(bronzeTradesDefinition);
          const silver = await lake!.ensureTable(silverBarsDefinition);
          lakeMetrics?.liveFiles(BRONZE_TRADES_TABLE, (await bronze.snapshot()).files.size);
          lakeMetrics?.liveFiles(SILVER_BARS_TABLE, (await silver.snapshot()).files.size);
          ctx.system.spawn(
            BRONZE_WRITER,
            bronzeWriterActor({ js, jsm, table: bronze, onCommit: onCommit(BRONZE_TRADES_TABLE), onError: onError(BRONZE_TRADES_TABLE), onReject: onReject(BRONZE_TRADES_TABLE) }),
            { supervisor: restartForever },
          );
          ctx.system.spawn(
            SILVER_WRITER,
            silverWriterActor({ js, jsm, table: silver, onCommit: onCommit(SILVER_BARS_TABLE), onError: onError(SILVER_BARS_TABLE), onReject: onReject(SILVER_BARS_TABLE) }),
            { supervisor: restartForever },
          );
          running = true;
        },
        async stopPartition(partition, reason) {
          if (partition !== LAKE_WRITER_PARTITION || !running) return;
          running = false;
          lakeMetrics?.writerStopped();
          // A lost lease means another node may already write: stop at once (what was not committed
          // stays unacknowledged in the log). Otherwise the loops end after their current commit.
          const timeoutMs = reason === "lease-lost" ? 500 : 15_000;
          await Promise.all(WRITERS.map((name) => ctx.system.stop(name, { timeoutMs }).catch(() => {})));
        },
      };
    },
    async start(ctx: NodeContext) {
      // The writers stop (committing what they hold) when partition 0 leaves, in the drain phase.
      ctx.ledger?.account("lake", () => {
        const before = { ...committedRows };
        const writing = running;
        return {
          durables: writing ? [{ stream: STREAMS.trades, durable: BRONZE_WRITER }, { stream: STREAMS.silver, durable: SILVER_WRITER }] : [],
          figures: () => ({
            flushed: Object.fromEntries(Object.entries(committedRows).map(([t, rows]) => [`lake ${t} rows committed while stopping`, rows - (before[t] ?? 0)])),
          }),
        };
      });
      const table = (args: string[]) => {
        const name = args[0];
        if (!name) throw new AdminBadRequest(`name a table: ${BRONZE_TRADES_TABLE} or ${SILVER_BARS_TABLE}`);
        return lake!.table(name);
      };
      ctx.admin
        .register("lake-optimize", async (args) => {
          const result = await optimize(table(args));
          // Counted on the writer's node, where the live-file gauge is kept.
          if (running) lakeMetrics?.compacted(args[0]!, result);
          return result;
        })
        .register("lake-vacuum", async (args) => vacuum(table(args), { dryRun: args.includes("--dry-run") }));
      const every = options.compactEveryMs ?? 10 * 60_000;
      if (every > 0) {
        ctx.system.spawn(
          "lake-compactor",
          compactorActor({
            everyMs: every,
            tables: [BRONZE_TRADES_TABLE, SILVER_BARS_TABLE],
            table: (name) => lake!.table(name),
            active: () => running, // only the writer's node compacts, so two nodes never race on it
            onCompacted: (name, result) => lakeMetrics?.compacted(name, result),
          }),
        );
      }
    },
    status: () => ({ writing: running, lastCommit: commits, lastError: errors }),
  };
}
