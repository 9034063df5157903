import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { systemClock, type Clock } from "../../runtime/clock.js";
import type { Database } from "../database.js";
import { runDataTest, type DataTestResult } from "./data-tests.js";
import { testName } from "./data-test-spec.js";
import { dependencyOrder, withDownstream } from "./graph.js";
import { materialize } from "./materialize.js";
import { parseModelFile, type Materialization, type ModelFile } from "./model-file.js";

export const MODELS_DIR = fileURLToPath(new URL("../models/", import.meta.url));

export interface TransformOptions {
  /** Where the model files are. Default src/db/models. */
  modelsDir?: string;
  /** Run only these models (and everything downstream of them). Default: all. */
  select?: string[];
  /** Rebuild incremental models from scratch. */
  fullRefresh?: boolean;
  /** Build models (default true); false runs the data tests only. */
  build?: boolean;
  /** Run data tests (default true). */
  test?: boolean;
  /** Freshness tests measure age against this clock. */
  clock?: Clock;
  runId?: string;
}

export interface ModelRunResult {
  model: string;
  materialized: Materialization;
  status: "success" | "error" | "skipped";
  rows: number | undefined;
  durationMs: number;
  error: string | undefined;
}

export interface TransformReport {
  runId: string;
  status: "success" | "failed";
  startedAt: Date;
  finishedAt: Date;
  models: ModelRunResult[];
  tests: DataTestResult[];
}

export function loadModels(dir: string = MODELS_DIR): ModelFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => parseModelFile(join(dir, f), readFileSync(join(dir, f), "utf8")));
}

/**
 * Builds the gold models in dependency order, runs their data tests, and stores the run, each
 * model's outcome and each test's result (tables gold_runs, gold_model_runs, gold_test_results).
 * A failing model skips its downstream models and its tests; the run fails when a model fails or
 * an error-severity test does not pass.
 */
export async function runTransform(db: Database, options: TransformOptions = {}): Promise<TransformReport> {
  const clock = options.clock ?? systemClock;
  const all = dependencyOrder(loadModels(options.modelsDir));
  const chosen = options.select ? withDownstream(all, options.select) : undefined;
  const models = chosen ? all.filter((m) => chosen.has(m.name)) : all;
  const runId = options.runId ?? randomUUID();
  const startedAt = new Date(clock.now());
  await db.query("INSERT INTO gold_runs (run_id, started_at, status, full_refresh) VALUES ($1, $2, 'running', $3)", [runId, startedAt, options.fullRefresh ?? false]);

  const results: ModelRunResult[] = [];
  const tests: DataTestResult[] = [];
  const failed = new Set<string>();
  for (const model of models) {
    const upstreamFailed = model.dependsOn.some((d) => failed.has(d));
    let result: ModelRunResult;
    if (upstreamFailed) {
      result = { model: model.name, materialized: model.materialized, status: "skipped", rows: undefined, durationMs: 0, error: "an upstream model failed" };
    } else if (options.build === false) {
      result = { model: model.name, materialized: model.materialized, status: "skipped", rows: undefined, durationMs: 0, error: undefined };
    } else {
      const t0 = performance.now();
      try {
        const rows = await materialize(db, model, { fullRefresh: options.fullRefresh ?? false });
        result = { model: model.name, materialized: model.materialized, status: "success", rows, durationMs: Math.round(performance.now() - t0), error: undefined };
      } catch (err) {
        result = { model: model.name, materialized: model.materialized, status: "error", rows: undefined, durationMs: Math.round(performance.now() - t0), error: (err as Error).message };
      }
    }
    if (result.status === "error" || upstreamFailed) failed.add(model.name);
    results.push(result);
    await db.query(
      "INSERT INTO gold_model_runs (run_id, model, materialized, status, rows_affected, duration_ms, error) VALUES ($1, $2, $3, $4, $5, $6, $7)",
      [runId, model.name, model.materialized, result.status, result.rows ?? null, result.durationMs, result.error ?? null],
    );
    if (options.test === false) continue;
    for (const spec of model.tests) {
      const r: DataTestResult = failed.has(model.name)
        ? { model: model.name, name: testName(spec), kind: spec.kind, severity: spec.severity, status: "skipped", failures: 0, message: "model not built" }
        : await runDataTest(db, model.name, spec, clock.now());
      tests.push(r);
      await db.query(
        "INSERT INTO gold_test_results (run_id, model, test_name, kind, severity, status, failures, message) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [runId, r.model, r.name, r.kind, r.severity, r.status, r.failures, r.message ?? null],
      );
    }
  }

  const testsFailed = tests.filter((t) => t.status === "fail" || t.status === "error").length;
  const blocking = tests.some((t) => t.severity === "error" && (t.status === "fail" || t.status === "error"));
  const status = failed.size > 0 || blocking ? "failed" : "success";
  const finishedAt = new Date(clock.now());
  await db.query("UPDATE gold_runs SET finished_at = $2, status = $3, models_built = $4, tests_failed = $5 WHERE run_id = $1", [
    runId,
    finishedAt,
    status,
    results.filter((r) => r.status === "success").length,
    testsFailed,
  ]);
  return { runId, status, startedAt, finishedAt, models: results, tests };
}
