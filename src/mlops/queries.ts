/**
 * Read side of the registry for the MLOps page: paged and sorted runs, the per-symbol
 * leaderboard (latest run per algorithm, skill vs naive), champion history joined with the
 * versions, and the champion's live performance (realised error vs naive over time) from the
 * serving table. Plain SQL over src/db's tables; same SQL on PostgreSQL and PGlite.
 */
import type { ChampionAction, Queryable, RunSummary } from "../db/index.js";
import { ModelInputs, defaultFeatureScaling, type ImportanceGroup } from "../ml/index.js";

export const RUN_SORT_COLUMNS = {
  startedAt: "r.started_at",
  symbol: "r.symbol",
  algorithm: "r.algorithm",
  status: "r.status",
  rmse: "m.rmse",
  skill: "m.skill",
  r2: "m.r2",
  dmStat: "m.dm_stat",
  trainRows: "r.train_rows",
} as const;
export type RunSortColumn = keyof typeof RUN_SORT_COLUMNS;

/** A run as the runs table shows it: the registry's fields of a run (`decision` null for failed and older runs), its metrics as columns. */
export interface RunRow extends Pick<RunSummary, "runId" | "symbol" | "algorithm" | "status" | "startedAt" | "finishedAt" | "trainRows" | "testRows" | "error" | "decision"> {
  rmse: number | null;
  mae: number | null;
  r2: number | null;
  skill: number | null;
  rmseNaive: number | null;
  dmStat: number | null;
  directionalAccuracy: number | null;
  modelVersion: string | null;
}

/** One row of metrics per run, pivoted from run_metrics. */
const METRICS = `LEFT JOIN LATERAL (
    SELECT max(value) FILTER (WHERE key = 'rmse') AS rmse, max(value) FILTER (WHERE key = 'mae') AS mae,
           max(value) FILTER (WHERE key = 'r2') AS r2, max(value) FILTER (WHERE key = 'skill') AS skill,
           max(value) FILTER (WHERE key = 'rmse_naive') AS rmse_naive, max(value) FILTER (WHERE key = 'dm_stat') AS dm_stat,
           max(value) FILTER (WHERE key = 'directional_accuracy') AS directional_accuracy
    FROM run_metrics WHERE run_id = r.run_id) m ON true`;

const RUN_COLUMNS = `r.run_id AS "runId", r.symbol, r.algorithm, r.status, r.started_at AS "startedAt", r.finished_at AS "finishedAt",
  r.train_rows AS "trainRows", r.test_rows AS "testRows", r.error, r.decision, m.rmse, m.mae, m.r2, m.skill, m.rmse_naive AS "rmseNaive",
  m.dm_stat AS "dmStat", m.directional_accuracy AS "directionalAccuracy"`;

export interface RunPageQuery {
  symbol?: string | undefined;
  sort?: RunSortColumn;
  direction?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

export async function pagedRuns(db: Queryable, q: RunPageQuery = {}): Promise<{ total: number; page: number; pageSize: number; rows: RunRow[] }> {
  const page = Math.max(0, q.page ?? 0);
  const pageSize = Math.min(200, Math.max(1, q.pageSize ?? 25));
  // The column and direction come from a fixed map, never from the caller's text.
  const column = RUN_SORT_COLUMNS[q.sort ?? "startedAt"];
  const direction = q.direction === "asc" ? "ASC" : "DESC";
  const symbol = q.symbol ?? null;
  const total = (await db.query<{ n: number }>("SELECT count(*)::integer AS n FROM runs WHERE $1::text IS NULL OR symbol = $1", [symbol])).rows[0]!.n;
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS}, mv.model_version AS "modelVersion"
     FROM runs r ${METRICS} LEFT JOIN model_versions mv ON mv.run_id = r.run_id
     WHERE $1::text IS NULL OR r.symbol = $1
     ORDER BY ${column} ${direction} NULLS LAST, r.run_id
     LIMIT $2 OFFSET $3`,
    [symbol, pageSize, page * pageSize],
  );
  return { total, page, pageSize, rows };
}

/** The latest finished run of each algorithm for the symbol, best RMSE first. */
export async function leaderboard(db: Queryable, symbol: string): Promise<RunRow[]> {
  const { rows } = await db.query<RunRow>(
    `SELECT DISTINCT ON (r.algorithm) ${RUN_COLUMNS}, NULL::text AS "modelVersion"
     FROM runs r ${METRICS}
     WHERE r.symbol = $1 AND r.status = 'finished'
     ORDER BY r.algorithm, r.finished_at DESC, r.run_id`,
    [symbol],
  );
  return rows.sort((a, b) => (a.rmse ?? Infinity) - (b.rmse ?? Infinity));
}

export async function trainedSymbols(db: Queryable): Promise<string[]> {
  return (await db.query<{ symbol: string }>("SELECT DISTINCT symbol FROM runs ORDER BY symbol")).rows.map((r) => r.symbol);
}

export interface ChampionHistoryRow {
  /** "naive" after a demotion. */
  modelVersion: string;
  previousModelVersion: string | null;
  reason: string;
  action: ChampionAction;
  promotedAt: Date;
  algorithm: string | null;
  runId: string | null;
  rmse: number | null;
  rmseNaive: number | null;
}

export async function championHistoryWithVersions(db: Queryable, symbol: string, limit = 50): Promise<ChampionHistoryRow[]> {
  return (
    await db.query<ChampionHistoryRow>(
      `SELECT coalesce(h.model_version, 'naive') AS "modelVersion", h.previous_model_version AS "previousModelVersion", h.reason, h.action, h.promoted_at AS "promotedAt",
              v.algorithm, v.run_id AS "runId", v.rmse, v.rmse_naive AS "rmseNaive"
       FROM champion_history h LEFT JOIN model_versions v ON v.model_version = h.model_version
       WHERE h.symbol = $1 ORDER BY h.id DESC LIMIT $2`,
      [symbol, limit],
    )
  ).rows;
}

export async function runOfVersion(db: Queryable, modelVersion: string): Promise<string | null> {
  return (await db.query<{ runId: string }>(`SELECT run_id AS "runId" FROM model_versions WHERE model_version = $1`, [modelVersion])).rows[0]?.runId ?? null;
}

export interface PerformancePoint {
  bucket: number;
  modelVersion: string;
  predictions: number;
  rmse: number;
  rmseNaive: number;
  skill: number | null;
}

/**
 * Realised error of the live predictions vs the naive forecast, per time bucket and model
 * version: each bar's prediction against the next bar's close (as gold `model_performance`
 * does per version, here over time).
 */
export async function livePerformance(db: Queryable, symbol: string, options: { since: number; bucketMs: number }): Promise<PerformancePoint[]> {
  const { rows } = await db.query<Omit<PerformancePoint, "skill">>(
    `WITH o AS (
       SELECT window_end, close, prediction, prediction_model_version AS v, lead(close) OVER (ORDER BY window_end) AS next_close
       FROM silver_bars WHERE symbol = $1 AND window_end >= $2
     )
     SELECT (window_end / $3::bigint) * $3::bigint AS bucket, v AS "modelVersion", count(*)::integer AS predictions,
            sqrt(avg((prediction - next_close) ^ 2)) AS rmse, sqrt(avg((close - next_close) ^ 2)) AS "rmseNaive"
     FROM o WHERE next_close IS NOT NULL AND prediction IS NOT NULL AND v IS NOT NULL
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [symbol, options.since, options.bucketMs],
  );
  return rows.map((r) => ({ ...r, skill: r.rmseNaive > 0 ? 1 - r.rmse / r.rmseNaive : null }));
}

export interface VersionPerformance {
  modelVersion: string;
  predictions: number;
  rmse: number;
  rmseNaive: number;
  skill: number | null;
  directionalAccuracy: number | null;
}

/** The gold `model_performance` rows of the symbol; empty until the gold transform has run once. */
export async function goldModelPerformance(db: Queryable, symbol: string): Promise<VersionPerformance[]> {
  try {
    return (
      await db.query<VersionPerformance>(
        `SELECT model_version AS "modelVersion", predictions, rmse, rmse_naive AS "rmseNaive", skill, directional_accuracy AS "directionalAccuracy"
         FROM model_performance WHERE symbol = $1 ORDER BY last_window_end DESC`,
        [symbol],
      )
    ).rows;
  } catch (err) {
    if ((err as { code?: string }).code === "42P01") return []; // undefined_table: gold not built yet
    throw err;
  }
}

/**
 * Stored importances (one row per feature) as the model's input columns saw them: features that
 * repeat another once scaled (momentum = −lag_3, src/ml/model-inputs.ts) form one group whose
 * importance is their sum, so the page never shows a split that was an accident of fitting.
 * Largest first.
 */
export function groupedImportances(rows: readonly { feature: string; importance: number }[]): ImportanceGroup[] {
  if (rows.length === 0) return [];
  const names = rows.map((r) => r.feature);
  const byName = new Map(rows.map((r) => [r.feature, r.importance]));
  const groups = ModelInputs.forFeatures(names, defaultFeatureScaling(names)).groups();
  return groups.map((features) => ({ features, importance: features.reduce((sum, f) => sum + (byName.get(f) ?? 0), 0) })).sort((a, b) => b.importance - a.importance);
}
