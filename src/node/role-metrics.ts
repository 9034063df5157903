/**
 * Metrics of the market, quality and MLOps roles. They are registered when the role starts on the
 * node, so a node without the role has no such series (an unlabelled gauge would otherwise read 0).
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { MarketCounters } from "../actors/symbol/nats-sink.js";
import type { MlopsEvent } from "../mlops/events.js";
import type { AuditorMemory } from "../actors/quality/actor.js";
import type { ReportStatus } from "../quality/types.js";

const REPORT_STATUSES: readonly ReportStatus[] = ["PASSED", "WARN", "FAILED", "ERROR"];

/** A counter whose value is a running total kept elsewhere, read when scraped. */
export function totalCounter(registry: Registry, name: string, help: string, read: () => number): Counter {
  return new Counter({ name, help, registers: [registry], collect() {
    this.reset();
    this.inc(read());
  } });
}

/** The quality gate, read from the auditor's shared memory when scraped. */
export function registerQualityMetrics(registry: Registry, memory: Pick<AuditorMemory, "last" | "runs" | "running">): void {
  const registers = [registry];
  totalCounter(registry, "quality_runs_total", "Quality runs finished on this node (any status)", () => memory.runs);
  new Gauge({ name: "quality_run_in_progress", help: "1 while a quality run is in flight on this node", registers, collect() {
    this.set(memory.running === null ? 0 : 1);
  } });
  new Gauge({ name: "quality_last_run_status", help: "1 for the status of the last finished quality run (PASSED, WARN, FAILED, ERROR), 0 for the others; absent before the first run", labelNames: ["status"], registers, collect() {
    this.reset();
    const last = memory.last;
    if (last) for (const status of REPORT_STATUSES) this.set({ status }, last.status === status ? 1 : 0);
  } });
  new Gauge({ name: "quality_last_run_finished_timestamp_seconds", help: "When the last quality run finished (Unix seconds); absent before the first run", labelNames: ["trigger"], registers, collect() {
    this.reset();
    const last = memory.last;
    // Scheduled or an admin run: the trigger's kind only (an admin trigger names its caller).
    if (last) this.set({ trigger: last.trigger === "schedule" ? "schedule" : "admin" }, last.finishedAt / 1000);
  } });
  new Gauge({ name: "quality_last_run_rows_failed", help: "Distinct rows that failed a check in the last quality run", registers, collect() {
    this.set(memory.last?.rowsFailed ?? 0);
  } });
}

/** The MLOps event types counted (the pool's own events are not). */
const COUNTED: readonly MlopsEvent["type"][] = ["training-started", "run-completed", "run-failed", "promoted", "not-promoted", "rolled-back", "champion-reviewed", "demoted", "training-failed", "mode-changed", "warning"];

/**
 * A review older than this no longer counts (three 5-minute patrols): the symbol's rounds have
 * stopped here, e.g. another ml node trains it now, and that node's reviews speak for it.
 */
const REVIEW_FRESH_MS = 15 * 60_000;

/** Live skill (1 − RMSE / naive RMSE) of reviewed champions; below 0 is worse than naive. */
const SKILL_BUCKETS = [-0.5, -0.2, -0.1, -0.05, -0.02, 0, 0.02, 0.05, 0.1, 0.2, 0.5];

/**
 * MLOps: events counted by type as the component publishes them (rounds started, promotions,
 * reviews, demotions, rollbacks, failures), the live review of the champions this node trains
 * (how many serve worse than naive, their live skill) and the training pool's queue read when
 * scraped. No per-symbol label: 5,000 symbols make no more series than 5.
 */
export function registerMlopsMetrics(registry: Registry, pool: () => { pending: number; capacity: number } | null, now: () => number = Date.now): (event: MlopsEvent) => void {
  const registers = [registry];
  const events = new Counter({ name: "mlops_events_total", help: "MLOps events on this node by type: training-started (a round), run-completed, run-failed, promoted, not-promoted, rolled-back, champion-reviewed, demoted, training-failed, mode-changed, warning", labelNames: ["type"], registers });
  // Every type from the start, so that rate() over a type that has not happened yet is 0, not absent.
  for (const type of COUNTED) events.inc({ type }, 0);
  // The last review per symbol whose champion had enough live predictions to be tested: worse than naive or not, and when.
  const reviews = new Map<string, { worse: boolean; at: number }>();
  const fresh = () => {
    const since = now() - REVIEW_FRESH_MS;
    for (const [symbol, r] of reviews) if (r.at < since) reviews.delete(symbol);
    return [...reviews.values()];
  };
  new Gauge({ name: "mlops_champions_reviewed", help: "Champions this node reviewed on enough live predictions in the last 15 minutes (their latest review)", registers, collect() {
    this.set(fresh().length);
  } });
  new Gauge({ name: "mlops_champions_worse_than_naive", help: "Champions whose latest live review (in the last 15 minutes) had a higher RMSE than the naive forecast on the same bars (significantly worse ones are demoted)", registers, collect() {
    this.set(fresh().filter((r) => r.worse).length);
  } });
  const skill = new Histogram({ name: "mlops_champion_live_skill", help: "Live skill of each reviewed champion, 1 - RMSE / naive RMSE over its newest live predictions (< 0: worse than naive)", buckets: SKILL_BUCKETS, registers });
  new Gauge({ name: "mlops_training_queue_pending", help: "Training tasks waiting for or running in the training pool", registers, collect() {
    this.set(pool()?.pending ?? 0);
  } });
  new Gauge({ name: "mlops_training_queue_capacity", help: "Training tasks the pool accepts before refusing", registers, collect() {
    this.set(pool()?.capacity ?? 0);
  } });
  return (event) => {
    if (COUNTED.includes(event.type)) events.inc({ type: event.type });
    if (event.type === "champion-reviewed") {
      if (event.review.verdict === "too-few-rows") reviews.delete(event.symbol);
      else {
        reviews.set(event.symbol, { worse: event.review.rmse > event.review.rmseNaive, at: event.at });
        if (Number.isFinite(event.review.skill)) skill.observe(event.review.skill);
      }
    } else if (event.type === "demoted" || event.type === "promoted" || event.type === "rolled-back") {
      // Another model (or naive) serves now; its first review will tell.
      reviews.delete(event.symbol);
    }
  };
}

/** The market role's counts (its symbol actors' sink), read when scraped. */
export function registerMarketMetrics(registry: Registry, counters: Omit<MarketCounters, "latency">): void {
  const counter = (name: string, help: string, read: () => number) => totalCounter(registry, name, help, read);
  counter("market_bars_emitted_total", "Silver bars the symbol actors emitted", () => counters.bars);
  counter("market_candles_emitted_total", "1-minute candles the symbol actors emitted", () => counters.candles);
  counter("market_late_trades_total", "Trades past a closed window's allowed lateness: counted and kept in bronze, not merged into the bar", () => counters.lateTrades);
  counter("market_invalid_trades_total", "Trades the symbol actors refused as invalid", () => counters.invalidTrades);
  counter("market_trade_gaps_total", "Trade-id gaps the symbol actors saw in the log", () => counters.gaps);
  counter("market_missing_trades_total", "Trades missing in those gaps", () => counters.missingTrades);
  counter("market_prediction_failures_total", "Bars whose model prediction failed (the bar is emitted with the naive forecast)", () => counters.predictionFailures);
}

/** What the lake role reports as it writes and compacts (see registerLakeMetrics). */
export interface LakeMetrics {
  /** A writer's commit added `files` data files. */
  committed(table: string, files: number): void;
  /** The table's live data files, read from its snapshot (writer start, after each compaction). */
  liveFiles(table: string, files: number): void;
  /** One compaction run: files rewritten into fewer. */
  compacted(table: string, result: { filesRemoved: number; filesAdded: number }): void;
  /** The writer left this node (partition 0 moved): its live-file figures are another node's to report. */
  writerStopped(): void;
}

/**
 * The lake: files written per commit, live files per table (exact while this node is the only
 * writer, as the lake writer is a singleton: set from the snapshot and moved by each commit and
 * compaction), and compaction runs with the files they removed and added. Labelled by table only.
 */
export function registerLakeMetrics(registry: Registry, tables: readonly string[]): LakeMetrics {
  const registers = [registry];
  const written = new Counter({ name: "lake_files_written_total", help: "Data files the lake writer added by its commits", labelNames: ["table"], registers });
  const live = new Gauge({ name: "lake_table_files", help: "Live data files of a lake table (its current snapshot), on the node that writes it", labelNames: ["table"], registers });
  const runs = new Counter({ name: "lake_compaction_runs_total", help: "Compaction runs over a lake table (including runs with nothing to compact)", labelNames: ["table"], registers });
  const removed = new Counter({ name: "lake_compaction_files_removed_total", help: "Small data files compaction rewrote (removed from the table)", labelNames: ["table"], registers });
  const added = new Counter({ name: "lake_compaction_files_added_total", help: "Data files compaction wrote in their place", labelNames: ["table"], registers });
  for (const table of tables) for (const c of [written, runs, removed, added]) c.inc({ table }, 0);
  return {
    committed(table, files) {
      written.inc({ table }, files);
      live.inc({ table }, files);
    },
    liveFiles(table, files) {
      live.set({ table }, files);
    },
    compacted(table, r) {
      runs.inc({ table });
      removed.inc({ table }, r.filesRemoved);
      added.inc({ table }, r.filesAdded);
      live.inc({ table }, r.filesAdded - r.filesRemoved);
    },
    writerStopped() {
      live.reset();
    },
  };
}
