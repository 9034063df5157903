import pg from "pg";
import { assembleDatabase, checkSchemaName, type Database, type OpenDatabaseOptions, type Queryable, type QueryResult } from "./database.js";
import { toDatabaseError, withDatabaseErrors } from "./errors.js";

const OID = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const;

/** Same JS types as the PGlite side: int8/numeric as numbers (ms timestamps and counts fit in 2^53), dates as text. */
const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === OID.INT8 || oid === OID.NUMERIC) return (text: string) => Number(text);
    if (oid === OID.DATE) return (text: string) => text;
    return pg.types.getTypeParser(oid, (format ?? "text") as "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

function queryable(client: pg.Pool | pg.PoolClient): Queryable {
  return withDatabaseErrors({
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      // No values: node-postgres uses the simple protocol, which accepts several statements.
      await client.query(sql);
    },
  });
}

export async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const schema = options.schema === undefined ? undefined : checkSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // A server that vanishes without closing the socket is noticed by TCP keepalive instead of hanging a query.
    keepAlive: true,
    types: typeParsers,
    // Each pooled connection starts with the schema first on its search_path.
    ...(schema ? { options: `-c search_path=${schema},public` } : {}),
  });
  // An idle client losing its server (outage, restart) must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const base = queryable(pool);
  if (schema) {
    try {
      await base.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (err) {
      // Two nodes creating the same schema at once: one loses the race on the catalog's unique index.
      if (!(err instanceof Error && "code" in err && (err.code === "23505" || err.code === "42P06"))) {
        await pool.end();
        throw err;
      }
    }
  }
  return assembleDatabase({
    kind: "postgres",
    schema,
    statements: base,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw toDatabaseError(err);
      }
      let broken: Error | undefined;
      try {
        const tx = queryable(client);
        await tx.exec("BEGIN");
        const result = await fn(tx);
        await tx.exec("COMMIT");
        return result;
      } catch (err) {
        try {
          await client.query("ROLLBACK");
        } catch (rollbackErr) {
          broken = rollbackErr as Error; // connection is gone: drop it from the pool
        }
        // Statements were wrapped already; anything else is the caller's own error, passed through.
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async release() {
      await pool.end();
    },
  });
}
