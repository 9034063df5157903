/** Model versions and champion history (migration 0003). The champion pointer nodes follow lives in KV; this is its durable record. */
import type { Database, Queryable } from "../database.js";

export interface NewModelVersion {
  symbol: string;
  runId: string;
  algorithm: string;
  artifactUri: string;
  rmse?: number;
  rmseNaive?: number;
}

export interface ModelVersion {
  symbol: string;
  version: number;
  modelVersion: string;
  runId: string;
  algorithm: string;
  artifactUri: string;
  rmse: number | null;
  rmseNaive: number | null;
  createdAt: Date;
}

/** What happened to a symbol's champion pointer (migration 0009). */
export type ChampionAction = "promoted" | "rolled-back" | "demoted";

export interface Champion {
  symbol: string;
  /** The version that serves from then on; "naive" when the naive forecast does (after a demotion). */
  modelVersion: string;
  previousModelVersion: string | null;
  reason: string;
  action: ChampionAction;
  promotedAt: Date;
}

/** The label the history uses for "the naive forecast serves" (stored as a NULL model_version). */
const NAIVE = "naive";

const CHAMPION_COLUMNS = `symbol, coalesce(model_version, '${NAIVE}') AS "modelVersion", previous_model_version AS "previousModelVersion", reason, action, promoted_at AS "promotedAt"`;

/** Registers the next version for the symbol ("BTCUSDT/v3"); versions are numbered per symbol without gaps or races. */
export async function registerModelVersion(db: Database, m: NewModelVersion): Promise<ModelVersion> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('tickhouse.model_versions'), hashtext($1))", [m.symbol]);
    const { rows } = await tx.query<ModelVersion>(
      `INSERT INTO model_versions (symbol, version, model_version, run_id, algorithm, artifact_uri, rmse, rmse_naive)
       SELECT $1, v, $1 || '/v' || v, $2, $3, $4, $5, $6 FROM (SELECT coalesce(max(version), 0) + 1 AS v FROM model_versions WHERE symbol = $1) AS next
       RETURNING symbol, version, model_version AS "modelVersion", run_id AS "runId", algorithm, artifact_uri AS "artifactUri", rmse, rmse_naive AS "rmseNaive", created_at AS "createdAt"`,
      [m.symbol, m.runId, m.algorithm, m.artifactUri, m.rmse ?? null, m.rmseNaive ?? null],
    );
    return rows[0]!;
  });
}

/**
 * Appends a change of champion to the history; returns the row, whose previousModelVersion is
 * the champion it replaced (null for the first, "naive" after a demotion).
 */
export async function recordPromotion(db: Database, symbol: string, modelVersion: string, reason: string, action: ChampionAction = "promoted"): Promise<Champion> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('tickhouse.champion'), hashtext($1))", [symbol]);
    const { rows } = await tx.query<Champion>(
      `INSERT INTO champion_history (symbol, model_version, previous_model_version, reason, action)
       SELECT $1, $2, (SELECT coalesce(model_version, '${NAIVE}') FROM champion_history WHERE symbol = $1 ORDER BY id DESC LIMIT 1), $3, $4
       RETURNING ${CHAMPION_COLUMNS}`,
      [symbol, modelVersion === NAIVE ? null : modelVersion, reason, action],
    );
    return rows[0]!;
  });
}

/** The latest change per symbol. */
export async function currentChampions(db: Queryable): Promise<Champion[]> {
  return (await db.query<Champion>(`SELECT DISTINCT ON (symbol) ${CHAMPION_COLUMNS} FROM champion_history ORDER BY symbol, id DESC`)).rows;
}

export async function championHistory(db: Queryable, symbol: string, limit = 50): Promise<Champion[]> {
  return (await db.query<Champion>(`SELECT ${CHAMPION_COLUMNS} FROM champion_history WHERE symbol = $1 ORDER BY id DESC LIMIT $2`, [symbol, limit])).rows;
}

export async function listModelVersions(db: Queryable, symbol: string): Promise<ModelVersion[]> {
  return (
    await db.query<ModelVersion>(
      `SELECT symbol, version, model_version AS "modelVersion", run_id AS "runId", algorithm, artifact_uri AS "artifactUri", rmse, rmse_naive AS "rmseNaive", created_at AS "createdAt"
       FROM model_versions WHERE symbol = $1 ORDER BY version`,
      [symbol],
    )
  ).rows;
}
