/** NodeMetrics without a server: gauges read their sources when scraped, and only then. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { NodeMetrics } from "../../src/node/metrics.js";
import type { RegionStats } from "../../src/runtime/cluster/region/region.js";
import type { ActorStats } from "../../src/runtime/actor/index.js";
import { parseMetrics } from "./stack.js";
import type { ClientStatus } from "../../src/ingest/client-types.js";
import type { PublisherStatus } from "../../src/ingest/publisher-types.js";
import type { QualityRunReport } from "../../src/quality/types.js";
import type { MlopsEvent } from "../../src/mlops/events.js";

const actor = (path: string, mailboxDepth: number, restarts: number) => ({ path, mailboxDepth, restarts }) as unknown as ActorStats;
const partition = (p: number, pending: number): RegionStats["partitions"][number] => ({ partition: p, state: "running", duplicates: 0, consumer: { pending, backlog: 0, unhandled: 0, floor: 0, fetches: 1 } });

test("gauges are read from the node's live sources on each scrape, not kept", async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  let stats = [actor("/user/a", 3, 0), actor("/user/b", 4, 2)];
  let owned = new Set([0, 1, 2]);
  let partitions = [partition(0, 5), partition(1, 0)];
  let reads = 0;
  metrics.watchNode({ stats: () => (reads++, stats) }, { ownedPartitions: () => owned });
  metrics.watchRegion("symbols", () => ({ region: "symbols", partitions, held: 0, resent: 0, duplicates: 0 }));
  assert.equal(reads, 0, "nothing read before a scrape");

  let m = parseMetrics(await metrics.registry.metrics());
  assert.ok(reads > 0);
  assert.deepEqual([m.get("node_actors"), m.get("node_mailbox_depth_total"), m.get("node_actor_restarts"), m.get("node_partitions_owned")], [2, 7, 2, 3]);
  assert.equal(m.get('region_consumer_pending{region="symbols",partition="0"}'), 5);
  assert.equal(m.get('region_consumer_pending{region="symbols",partition="1"}'), 0);

  // Partition 0 moved away, an actor stopped: the next scrape says so.
  stats = [actor("/user/b", 1, 2)];
  owned = new Set([1]);
  partitions = [partition(1, 9)];
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([m.get("node_actors"), m.get("node_mailbox_depth_total"), m.get("node_partitions_owned")], [1, 1, 1]);
  assert.equal(m.has('region_consumer_pending{region="symbols",partition="0"}'), false, "a lost partition's series is gone");
  assert.equal(m.get('region_consumer_pending{region="symbols",partition="1"}'), 9);
});

test("trades accepted, trade→bar latency in seconds, serving and lake figures", async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  metrics.tradesAcceptedBy("BTCUSDT", 7);
  metrics.tradesAcceptedBy("BTCUSDT", 0);
  metrics.tradesAcceptedBy("ETHUSDT", 2);
  metrics.observeTradeToBar(4); // 0.004 s
  metrics.observeTradeToBar(1500);
  metrics.observeTradeToBar(Number.NaN); // a bar without a closing trade time is not a sample
  metrics.servingRowsWritten.inc(12);
  metrics.servingFailures.inc({ kind: "rejected" });
  metrics.lakeCommittedSeq.set({ table: "bronze_trades" }, 4242);
  const m = parseMetrics(await metrics.registry.metrics());
  assert.equal(m.get('market_trades_accepted_total{symbol="BTCUSDT"}'), 7);
  assert.equal(m.get('market_trades_accepted_total{symbol="ETHUSDT"}'), 2);
  assert.equal(m.get("market_trade_to_bar_latency_seconds_count"), 2);
  assert.equal(m.get('market_trade_to_bar_latency_seconds_bucket{le="0.005"}'), 1);
  assert.equal(m.get('market_trade_to_bar_latency_seconds_bucket{le="2.5"}'), 2);
  assert.ok(Math.abs(m.get("market_trade_to_bar_latency_seconds_sum")! - 1.504) < 1e-9);
  assert.equal(m.get("serving_rows_written_total"), 12);
  assert.equal(m.get('serving_write_failures_total{kind="rejected"}'), 1);
  assert.equal(m.get('lake_last_committed_log_sequence{table="bronze_trades"}'), 4242);
  assert.equal(m.has("process_cpu_user_seconds_total"), false, "process metrics only when asked");

  // The lake role's files: commits add, a compaction rewrites many small files into few.
  const lake = metrics.watchLake(["bronze_trades", "silver_bars"]);
  lake.liveFiles("bronze_trades", 10);
  lake.committed("bronze_trades", 3);
  lake.compacted("bronze_trades", { filesRemoved: 12, filesAdded: 2 });
  const l = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual(
    ["lake_table_files", "lake_files_written_total", "lake_compaction_runs_total", "lake_compaction_files_removed_total", "lake_compaction_files_added_total"].map((n) => l.get(`${n}{table="bronze_trades"}`)),
    [3, 3, 1, 12, 2],
  );
  assert.equal(l.get('lake_compaction_runs_total{table="silver_bars"}'), 0);
  // The writer moved to another node: this one no longer reports the table's files (the counters stay).
  lake.writerStopped();
  const after = parseMetrics(await metrics.registry.metrics());
  assert.equal(after.has('lake_table_files{table="bronze_trades"}'), false);
  assert.equal(after.get('lake_files_written_total{table="bronze_trades"}'), 3);
});

test("two nodes in one process keep separate registries", async () => {
  const a = new NodeMetrics();
  const b = new NodeMetrics();
  a.tradesAcceptedBy("BTCUSDT", 3);
  assert.equal(parseMetrics(await b.registry.metrics()).has('market_trades_accepted_total{symbol="BTCUSDT"}'), false);
});

test("the ingest feed: connected or failing, reconnects, gaps and what filled them, the spool; no series on a node that does not ingest", async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  let status: { source: string; client?: ClientStatus; publisher?: PublisherStatus } | undefined;
  metrics.watchIngest(() => status);
  let m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([...m.keys()].filter((k) => k.startsWith("ingest_")), [], "no ingest status: no series (not a 0 that reads as disconnected)");

  const client = (health: ClientStatus["health"]) => ({ health, reconnects: 3, trades: 1200 }) as unknown as ClientStatus;
  const publisher = { published: 1150, gaps: 2, backfilled: 40, catchUps: 9, catchUpsMoot: 6, missingTrades: 1, publishFailures: 5, spool: { bytes: 2048, records: 3, segments: 1, spooledBatches: 3 }, held: 7, queuedBatches: 4 } as unknown as PublisherStatus;
  status = { source: "binance", client: client({ state: "connected" }), publisher };
  m = parseMetrics(await metrics.registry.metrics());
  const at = (name: string) => m.get(`${name}{source="binance"}`);
  assert.deepEqual(
    ["ingest_connection_up", "ingest_connection_failed_attempts", "ingest_reconnects_total", "ingest_trades_received_total", "ingest_trades_published_total", "ingest_trade_gaps_total", "ingest_trades_backfilled_total", "ingest_catch_ups_total", "ingest_catch_ups_moot_total", "ingest_trades_missing_total", "ingest_publish_failures_total", "ingest_spool_bytes", "ingest_spool_records", "ingest_trades_held", "ingest_batches_queued"].map(at),
    [1, 0, 3, 1200, 1150, 2, 40, 9, 6, 1, 5, 2048, 3, 7, 4],
  );

  status = { source: "binance", client: client({ state: "failing", kind: "refused", cause: "connect ECONNREFUSED", failedAttempts: 6 }), publisher };
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([at("ingest_connection_up"), at("ingest_connection_failed_attempts")], [0, 6]);
});

test("market counts: registered with the role, read from the sink's counters when scraped", async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  assert.equal(parseMetrics(await metrics.registry.metrics()).has("market_late_trades_total"), false);
  const counters = { bars: 0, candles: 0, ticks: 0, lateTrades: 0, invalidTrades: 0, gaps: 0, missingTrades: 0, predictionFailures: 0 };
  metrics.watchMarket(counters);
  Object.assign(counters, { bars: 40, candles: 4, lateTrades: 3, invalidTrades: 1, gaps: 2, missingTrades: 7, predictionFailures: 5 });
  const m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual(
    ["market_bars_emitted_total", "market_candles_emitted_total", "market_late_trades_total", "market_invalid_trades_total", "market_trade_gaps_total", "market_missing_trades_total", "market_prediction_failures_total"].map((n) => m.get(n)),
    [40, 4, 3, 1, 2, 7, 5],
  );
});

test("quality and MLOps series exist only once their role registered them; the last run's status one-hot; events counted by type", async () => {
  const metrics = new NodeMetrics({ processMetrics: false });
  let m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([...m.keys()].filter((k) => k.startsWith("quality_") || k.startsWith("mlops_")), [], "a node without the roles has none");

  const memory = { last: null as QualityRunReport | null, runs: 0, running: null as string | null };
  metrics.watchQuality(memory);
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([m.get("quality_runs_total"), m.get("quality_run_in_progress"), m.has('quality_last_run_status{status="PASSED"}')], [0, 0, false]);
  memory.running = "q-1";
  memory.runs = 3;
  memory.last = { reportId: "q-0", trigger: "admin:root@host", since: null, startedAt: 1_700_000_000_000, finishedAt: 1_700_000_004_000, status: "FAILED", rowsChecked: 100, rowsFailed: 4, quarantined: 4, checks: [] };
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual(
    [m.get("quality_runs_total"), m.get("quality_run_in_progress"), m.get("quality_last_run_rows_failed"), m.get('quality_last_run_finished_timestamp_seconds{trigger="admin"}')],
    [3, 1, 4, 1_700_000_004],
  );
  assert.deepEqual(["PASSED", "WARN", "FAILED", "ERROR"].map((s) => m.get(`quality_last_run_status{status="${s}"}`)), [0, 0, 1, 0]);

  const pool = { pending: 5, capacity: 64 };
  const count = metrics.watchMlops(() => pool);
  m = parseMetrics(await metrics.registry.metrics());
  assert.equal(m.get('mlops_events_total{type="promoted"}'), 0, "every type from the start: rate() is 0, not absent");
  count({ type: "training-started", symbol: "BTCUSDT", trigger: "hunt", rows: 500, at: 1 } as MlopsEvent);
  count({ type: "training-started", symbol: "ETHUSDT", trigger: "hunt", rows: 500, at: 1 } as MlopsEvent);
  count({ type: "rolled-back", symbol: "BTCUSDT", from: "v2", to: "v1", at: 2 });
  count({ type: "pool", event: {} } as MlopsEvent);
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([m.get('mlops_events_total{type="training-started"}'), m.get('mlops_events_total{type="rolled-back"}'), m.get('mlops_events_total{type="promoted"}')], [2, 1, 0]);
  assert.equal(m.has('mlops_events_total{type="pool"}'), false, "the pool's own events are not counted");
  assert.deepEqual([m.get("mlops_training_queue_pending"), m.get("mlops_training_queue_capacity")], [5, 64]);

  // Live reviews: one champion worse than naive (not yet significantly), one better, one too new to test.
  const reviewed = (symbol: string, review: Extract<MlopsEvent, { type: "champion-reviewed" }>["review"]) => count({ type: "champion-reviewed", symbol, version: `${symbol}/v1`, review, at: Date.now() });
  const measured = { stat: 0, pValue: 0.5, detail: "" };
  reviewed("BTCUSDT", { verdict: "keep", rows: 300, rmse: 1.1, rmseNaive: 1, skill: -0.1, ...measured });
  reviewed("ETHUSDT", { verdict: "keep", rows: 300, rmse: 0.9, rmseNaive: 1, skill: 0.1, ...measured });
  reviewed("SOLUSDT", { verdict: "too-few-rows", rows: 12, detail: "12 of 100 live predictions" });
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([m.get("mlops_champions_reviewed"), m.get("mlops_champions_worse_than_naive"), m.get("mlops_champion_live_skill_count"), m.get('mlops_champion_live_skill_bucket{le="0"}')], [2, 1, 2, 1]);
  count({ type: "demoted", symbol: "BTCUSDT", from: "BTCUSDT/v1", to: "naive", reason: "demoted", review: { verdict: "demote", rows: 300, rmse: 1.2, rmseNaive: 1, skill: -0.2, ...measured }, at: 4 });
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([m.get("mlops_champions_reviewed"), m.get("mlops_champions_worse_than_naive"), m.get('mlops_events_total{type="demoted"}')], [1, 0, 1]);
  // A review 16 minutes old (the symbol is trained on another node now) no longer counts here.
  count({ type: "champion-reviewed", symbol: "OLDUSDT", version: "OLDUSDT/v1", review: { verdict: "keep", rows: 300, rmse: 1.1, rmseNaive: 1, skill: -0.1, ...measured }, at: Date.now() - 16 * 60_000 });
  m = parseMetrics(await metrics.registry.metrics());
  assert.deepEqual([m.get("mlops_champions_reviewed"), m.get("mlops_champions_worse_than_naive")], [1, 0]);
});
