/**
 * Registry glue: training runs and model versions in PostgreSQL (src/db/registry), the model's
 * artifact in the lake. A version is registered only for a candidate about to be promoted.
 */
import type { Database } from "../db/index.js";
import { failRun, finishRun, registerModelVersion, startRun } from "../db/index.js";
import type { Metrics, TrainingRun } from "../ml/index.js";
import type { ArtifactStore } from "./artifacts.js";
import { artifactKey } from "./pointer.js";

/** The run's metrics under the registry's snake_case keys. */
export function metricRecord(run: TrainingRun): Record<string, number> {
  const m: Metrics = run.metrics;
  return {
    rmse: m.rmse,
    mae: m.mae,
    r2: m.r2,
    directional_accuracy: m.directionalAccuracy,
    rmse_naive: m.rmseNaive,
    skill: m.skill,
    dm_stat: m.dmStat,
    dm_p_value: m.dmPValue,
    cw_stat: m.cwStat,
    cw_p_value: m.cwPValue,
    fit_ms: run.fitMs,
    duration_ms: run.durationMs,
  };
}

export interface RunStart {
  runId: string;
  symbol: string;
  algorithm: string;
  startedAt: Date;
  dataFrom: number;
  dataTo: number;
  horizonMs?: number;
}

export async function recordRunStart(db: Database, r: RunStart): Promise<void> {
  await startRun(db, { runId: r.runId, experiment: `league/${r.symbol}`, symbol: r.symbol, algorithm: r.algorithm, startedAt: r.startedAt, dataFrom: r.dataFrom, dataTo: r.dataTo, ...(r.horizonMs !== undefined ? { horizonMs: r.horizonMs } : {}) });
}

export async function recordRunFinish(db: Database, runId: string, run: TrainingRun, finishedAt: Date): Promise<void> {
  await finishRun(db, runId, { params: run.params, metrics: metricRecord(run), importances: run.importances, trainRows: run.rows.train, testRows: run.rows.test, finishedAt });
}

export async function recordRunFailure(db: Database, runId: string, error: string, finishedAt: Date): Promise<void> {
  await failRun(db, runId, error, finishedAt);
}

/**
 * Registers the next version of the symbol, writes its artifact at models/<SYMBOL>/v<N>/ and
 * points the registry row at it. The version number comes from the database (race-free across
 * nodes), so the row is created first and its artifact URI filled in once the file exists.
 */
export async function registerVersion(
  db: Database,
  artifacts: ArtifactStore,
  v: { symbol: string; runId: string; run: TrainingRun; now: number },
): Promise<{ version: string; artifact: string }> {
  const row = await registerModelVersion(db, { symbol: v.symbol, runId: v.runId, algorithm: v.run.kind, artifactUri: "", rmse: v.run.metrics.rmse, rmseNaive: v.run.metrics.rmseNaive });
  const version = row.modelVersion;
  const artifact = await artifacts.write(version, v.run.model, {
    version,
    symbol: v.symbol,
    runId: v.runId,
    kind: v.run.kind,
    horizon: v.run.horizon,
    featureNames: v.run.model.featureNames,
    metrics: metricRecord(v.run),
    params: v.run.params,
    window: v.run.window,
    trainRows: v.run.rows.train,
    createdAt: v.now,
  });
  if (artifact !== artifactKey(version)) throw new Error(`artifact key ${artifact} ≠ ${artifactKey(version)}`);
  await db.query("UPDATE model_versions SET artifact_uri = $2 WHERE model_version = $1", [version, artifact]);
  return { version, artifact };
}
