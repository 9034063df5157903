/**
 * /metrics of a real node (market, ingest, serving, lake, web, quality, ml) reading the replayed recording: the node's
 * gauges, counters and histograms are there and move as trades flow.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../helpers/wait.js";
import { scrape, startPipeline } from "./stack.js";
import { join } from "node:path";
import { Lake } from "../../src/lake/index.js";

const sum = (m: Map<string, number>, prefix: string) => [...m].filter(([k]) => k === prefix || k.startsWith(`${prefix}{`)).reduce((n, [, v]) => n + v, 0);

test("a node's /metrics: actors, mailboxes, partitions, consumer backlog, trades accepted, trade→bar latency, serving rows, lake commits", async () => {
  await using stack = await startPipeline({ nodeId: "metrics1", roles: "market,ingest,serving,lake,web,quality,ml", speed: 20 });
  const first = await scrape(stack.web.url);
  for (const name of ["node_actors", "node_mailbox_depth_total", "node_actor_restarts", "node_partitions_owned", "market_trades_per_second", "serving_rows_written_total", "market_trade_to_bar_latency_seconds_count", "web_trade_to_tick_latency_seconds_count", "process_cpu_user_seconds_total"]) {
    assert.ok([...first.keys()].some((k) => k === name || k.startsWith(`${name}{`)), `${name} is exposed`);
  }
  assert.ok(first.get("node_actors")! > 0, "actors counted from the live system");

  const moved = await waitFor(
    async () => {
      const m = await scrape(stack.web.url);
      const ok = sum(m, "market_trades_accepted_total") > 0 && m.get("market_trade_to_bar_latency_seconds_count")! > 0 && m.get("serving_rows_written_total")! > 0 && m.get("node_partitions_owned")! > 0 && m.get("market_trades_per_second")! > 0
        && (m.get('lake_last_committed_log_sequence{table="bronze_trades"}') ?? 0) > 0;
      return ok ? m : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "trades accepted, bars' latency observed, serving rows written, a bronze lake commit" },
  );
  assert.ok([...moved.keys()].some((k) => k.startsWith('region_consumer_pending{region="symbols",partition="')), "per-partition consumer backlog");
  assert.equal(moved.get("node_partitions_owned"), stack.node.config.partitions, "a lone node owns every partition");
  const accepted = sum(moved, "market_trades_accepted_total");
  assert.ok(moved.has('market_trades_accepted_total{symbol="BTCUSDT"}'));
  assert.ok(moved.get('market_trade_to_bar_latency_seconds_bucket{le="+Inf"}')! >= moved.get("market_trade_to_bar_latency_seconds_count")!);

  // The log as this node reads it from NATS: streams, the writers' durable consumers, their lag.
  assert.equal(moved.get("nats_log_readable"), 1);
  assert.ok(moved.get('nats_stream_messages{stream="TRADES"}')! > 0);
  for (const series of ['lake_commit_lag_messages{table="bronze_trades"}', 'lake_commit_lag_seconds{table="silver_bars"}', 'serving_lag_messages{consumer="serving"}', 'nats_consumer_pending_messages{stream="TRADES",consumer="lake-bronze"}']) {
    assert.ok(moved.has(series), `${series} is exposed`);
  }

  // The lake's files: what the writer added, and the live files per table = the table's own snapshot.
  assert.ok(moved.get('lake_files_written_total{table="bronze_trades"}')! > 0);
  for (const table of ["bronze_trades", "silver_bars"]) assert.equal(moved.get(`lake_compaction_runs_total{table="${table}"}`), 0, "every table's series from the start");
  const lake = Lake.open(join(stack.node.config.dataDir, "lake"));
  await waitFor(async () => (await scrape(stack.web.url)).get('lake_table_files{table="bronze_trades"}') === (await lake.table("bronze_trades").snapshot()).files.size, { timeoutMs: 30_000, intervalMs: 250, what: "lake_table_files = the bronze snapshot's live files" });

  // The exchange feed (here the replay server speaking Binance's format).
  assert.equal(moved.get('ingest_connection_up{source="binance"}'), 1);
  assert.ok(moved.get('ingest_trades_published_total{source="binance"}')! > 0);
  assert.ok(moved.has('ingest_spool_records{source="binance"}'));

  // The roles registered their own series: the quality gate (no run yet) and MLOps.
  for (const series of ["quality_runs_total", "quality_run_in_progress", 'mlops_events_total{type="promoted"}', "mlops_training_queue_pending", "market_late_trades_total", "market_bars_emitted_total"]) {
    assert.ok(moved.has(series), `${series} is exposed`);
  }

  // Counters keep moving while the replay runs.
  await waitFor(async () => sum(await scrape(stack.web.url), "market_trades_accepted_total") > accepted, { timeoutMs: 30_000, intervalMs: 250, what: "more trades accepted" });
});
