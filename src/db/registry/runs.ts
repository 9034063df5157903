/**
 * Experiment tracking (the MLflow equivalent): one run per (symbol, algorithm) training task,
 * with its parameters, metrics and feature importances. Tables from migration 0003.
 */
import type { Database, Queryable } from "../database.js";

export interface NewRun {
  runId: string;
  /** e.g. "league/BTCUSDT"; created on first use. */
  experiment: string;
  symbol: string;
  algorithm: string;
  startedAt?: Date;
  horizonMs?: number;
  /** window_end range of the training data, ms. */
  dataFrom?: number;
  dataTo?: number;
}

export interface RunResult {
  params: Record<string, string | number | boolean>;
  metrics: Record<string, number>;
  importances: Record<string, number>;
  trainRows: number;
  testRows: number;
  artifactUri?: string;
  finishedAt?: Date;
}

export interface RunSummary {
  runId: string;
  experiment: string;
  symbol: string;
  algorithm: string;
  status: "running" | "finished" | "failed";
  startedAt: Date;
  finishedAt: Date | null;
  trainRows: number | null;
  testRows: number | null;
  artifactUri: string | null;
  error: string | null;
  /** Why the round promoted it or not (migration 0011); null for failed and older runs. */
  decision: string | null;
  params: Record<string, string>;
  metrics: Record<string, number>;
}

export async function startRun(db: Queryable, run: NewRun): Promise<void> {
  await db.query(
    `WITH e AS (
       INSERT INTO experiments (name) VALUES ($2) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING experiment_id
     )
     INSERT INTO runs (run_id, experiment_id, symbol, algorithm, status, started_at, horizon_ms, data_from, data_to)
     SELECT $1, experiment_id, $3, $4, 'running', $5, $6, $7, $8 FROM e`,
    [run.runId, run.experiment, run.symbol, run.algorithm, run.startedAt ?? new Date(), run.horizonMs ?? null, run.dataFrom ?? null, run.dataTo ?? null],
  );
}

/** Records the outcome, parameters, metrics and importances together (one transaction). */
export async function finishRun(db: Database, runId: string, result: RunResult): Promise<void> {
  await db.transaction(async (tx) => {
    const updated = await tx.query(
      "UPDATE runs SET status = 'finished', finished_at = $2, train_rows = $3, test_rows = $4, artifact_uri = $5 WHERE run_id = $1",
      [runId, result.finishedAt ?? new Date(), result.trainRows, result.testRows, result.artifactUri ?? null],
    );
    if (updated.rowCount !== 1) throw new Error(`finishRun: no run ${runId} (call startRun first)`);
    const params = Object.entries(result.params);
    const metrics = Object.entries(result.metrics);
    const importances = Object.entries(result.importances);
    await tx.query("INSERT INTO run_params (run_id, key, value) SELECT $1, * FROM unnest($2::text[], $3::text[])", [runId, params.map((p) => p[0]), params.map((p) => String(p[1]))]);
    await tx.query("INSERT INTO run_metrics (run_id, key, value) SELECT $1, * FROM unnest($2::text[], $3::double precision[])", [runId, metrics.map((m) => m[0]), metrics.map((m) => m[1])]);
    await tx.query("INSERT INTO feature_importances (run_id, feature, importance) SELECT $1, * FROM unnest($2::text[], $3::double precision[])", [
      runId,
      importances.map((i) => i[0]),
      importances.map((i) => i[1]),
    ]);
  });
}

/** Records the promotion rule's verdict on a finished run. */
export async function recordRunDecision(db: Queryable, runId: string, decision: string): Promise<void> {
  await db.query("UPDATE runs SET decision = $2 WHERE run_id = $1", [runId, decision]);
}

export async function failRun(db: Queryable, runId: string, error: string, finishedAt: Date = new Date()): Promise<void> {
  await db.query("UPDATE runs SET status = 'failed', finished_at = $2, error = $3 WHERE run_id = $1", [runId, finishedAt, error]);
}

/** Newest runs first, with their params and metrics as objects (the MLOps page's run list). */
export async function listRuns(db: Queryable, { symbol, limit = 100 }: { symbol?: string; limit?: number } = {}): Promise<RunSummary[]> {
  const { rows } = await db.query<RunSummary>(
    `SELECT r.run_id AS "runId", e.name AS experiment, r.symbol, r.algorithm, r.status, r.started_at AS "startedAt", r.finished_at AS "finishedAt",
            r.train_rows AS "trainRows", r.test_rows AS "testRows", r.artifact_uri AS "artifactUri", r.error, r.decision,
            coalesce((SELECT json_object_agg(key, value) FROM run_params p WHERE p.run_id = r.run_id), '{}'::json) AS params,
            coalesce((SELECT json_object_agg(key, value) FROM run_metrics m WHERE m.run_id = r.run_id), '{}'::json) AS metrics
     FROM runs r JOIN experiments e USING (experiment_id)
     WHERE $1::text IS NULL OR r.symbol = $1
     ORDER BY r.started_at DESC, r.run_id
     LIMIT $2`,
    [symbol ?? null, limit],
  );
  return rows;
}

/** Feature importances of one run, largest first. */
export async function runImportances(db: Queryable, runId: string): Promise<{ feature: string; importance: number }[]> {
  return (await db.query<{ feature: string; importance: number }>("SELECT feature, importance FROM feature_importances WHERE run_id = $1 ORDER BY importance DESC, feature", [runId])).rows;
}
