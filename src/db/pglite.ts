import { mkdirSync } from "node:fs";
import { PGlite, types } from "@electric-sql/pglite";
import { assembleDatabase, checkSchemaName, type Database, type OpenDatabaseOptions, type Queryable, type QueryResult } from "./database.js";
import { toDatabaseError, withDatabaseErrors } from "./errors.js";

/** Same JS types as the `pg` side (see postgres.ts). */
const parsers = {
  [types.INT8]: (text: string) => Number(text),
  [types.NUMERIC]: (text: string) => Number(text),
  [types.DATE]: (text: string) => text,
};

interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number; command?: string }>;
  exec(sql: string): Promise<unknown>;
}

function queryable(target: PgliteLike): Queryable {
  return withDatabaseErrors({
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      const r = await target.query<T>(sql, params as unknown[]);
      const rowCount = r.command === "SELECT" ? r.rows.length : (r.affectedRows ?? r.rows.length);
      return { rows: r.rows, rowCount };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
  });
}

/** A new PGlite instance (in memory, or persisted under `dataDir`). Only one process may open a dataDir. */
export async function openPglite(dataDir: string | undefined, options: OpenDatabaseOptions): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const instance = await PGlite.create({ ...(dataDir ? { dataDir } : {}), parsers });
  try {
    return await wrapPglite(instance, { schema: options.schema, ownsInstance: true });
  } catch (err) {
    await instance.close();
    throw err;
  }
}

/**
 * Wraps an existing PGlite instance. Tests share one instance per file (starting PGlite takes
 * seconds) and use a fresh schema per test; only one wrapper may be in use at a time, because
 * search_path belongs to the instance's single session. `close()` closes the instance only when
 * `ownsInstance` is true. The instance should be created with the same `parsers` (see `pgliteParsers`).
 */
export async function wrapPglite(instance: PGlite, { schema, ownsInstance }: { schema?: string | undefined; ownsInstance: boolean }): Promise<Database> {
  const base = queryable(instance as unknown as PgliteLike);
  if (schema !== undefined) {
    checkSchemaName(schema);
    await base.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}, public`);
  }
  return assembleDatabase({
    kind: "pglite",
    schema,
    statements: base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      try {
        return await instance.transaction((tx) => fn(queryable(tx as unknown as PgliteLike)));
      } catch (err) {
        // BEGIN/COMMIT failures come raw from PGlite (they carry a SQLSTATE); the caller's own errors pass through.
        const code = (err as { code?: unknown } | null)?.code;
        throw typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? toDatabaseError(err) : err;
      }
    },
    async release() {
      if (ownsInstance) await instance.close();
    },
  });
}

export const pgliteParsers = parsers;
