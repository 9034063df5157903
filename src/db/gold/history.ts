/** Reading back stored transform runs (gold_runs, gold_model_runs, gold_test_results) for the data-quality page. */
import type { Queryable } from "../database.js";
import type { DataTestResult } from "./data-tests.js";
import type { ModelRunResult } from "./transform.js";

export interface StoredTransformRun {
  runId: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: "running" | "success" | "failed";
  fullRefresh: boolean;
  modelsBuilt: number;
  testsFailed: number;
}

export async function listTransformRuns(db: Queryable, limit = 20): Promise<StoredTransformRun[]> {
  return (
    await db.query<StoredTransformRun>(
      `SELECT run_id AS "runId", started_at AS "startedAt", finished_at AS "finishedAt", status, full_refresh AS "fullRefresh",
              models_built AS "modelsBuilt", tests_failed AS "testsFailed"
       FROM gold_runs ORDER BY started_at DESC, run_id LIMIT $1`,
      [limit],
    )
  ).rows;
}

export async function transformRunDetails(db: Queryable, runId: string): Promise<{ models: ModelRunResult[]; tests: DataTestResult[] }> {
  const models = (
    await db.query<ModelRunResult>(
      `SELECT model, materialized, status, rows_affected AS rows, duration_ms AS "durationMs", error FROM gold_model_runs WHERE run_id = $1 ORDER BY model`,
      [runId],
    )
  ).rows;
  const tests = (
    await db.query<DataTestResult>(
      `SELECT model, test_name AS name, kind, severity, status, failures, message FROM gold_test_results WHERE run_id = $1 ORDER BY model, test_name`,
      [runId],
    )
  ).rows;
  return { models, tests };
}

/** One test's results over time, newest first: how long has it been failing? */
export async function dataTestHistory(db: Queryable, model: string, testName: string, limit = 50): Promise<(Pick<DataTestResult, "status" | "failures" | "message"> & { runId: string; testedAt: Date })[]> {
  return (
    await db.query<Pick<DataTestResult, "status" | "failures" | "message"> & { runId: string; testedAt: Date }>(
      `SELECT run_id AS "runId", tested_at AS "testedAt", status, failures, message FROM gold_test_results
       WHERE model = $1 AND test_name = $2 ORDER BY tested_at DESC, run_id LIMIT $3`,
      [model, testName, limit],
    )
  ).rows;
}
