/**
 * The one small database interface the platform uses, over PostgreSQL (`pg`) or embedded
 * PostgreSQL (PGlite). Both speak the same SQL; rows come back with the same JS types:
 * bigint and numeric → number, date → "YYYY-MM-DD", timestamptz → Date.
 */

export interface QueryResult<T> {
  rows: T[];
  /** Rows returned (SELECT) or affected (INSERT/UPDATE/DELETE). */
  rowCount: number;
}

export interface Queryable {
  /** One statement, `$1`-style parameters. */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** A script of several statements, no parameters (migrations, models). */
  exec(sql: string): Promise<void>;
}

export type DatabaseKind = "postgres" | "pglite";

export interface Database extends Queryable, AsyncDisposable {
  readonly kind: DatabaseKind;
  /** The schema every unqualified name resolves to (search_path), or undefined for the default. */
  readonly schema: string | undefined;
  /** Runs `fn` in one transaction: commit when it resolves, roll back when it throws. Not nestable. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What a driver gives to make a Database: its statements, its transactions, and how to let go of it. */
export interface DatabaseParts {
  kind: DatabaseKind;
  schema: string | undefined;
  statements: Queryable;
  transaction: Database["transaction"];
  /** Closes the pool or instance; `close()` calls it once, however often it is called itself. */
  release(): Promise<void>;
}

export function assembleDatabase(parts: DatabaseParts): Database {
  let closed = false;
  const db: Database = {
    kind: parts.kind,
    schema: parts.schema,
    query: parts.statements.query,
    exec: parts.statements.exec,
    transaction: parts.transaction,
    async close() {
      if (closed) return;
      closed = true;
      await parts.release();
    },
    async [Symbol.asyncDispose]() {
      await db.close();
    },
  };
  return db;
}

export interface OpenDatabaseOptions {
  /** postgres:// URL. When set, PostgreSQL through `pg`; otherwise PGlite. */
  url?: string | undefined;
  /** PGlite data directory (created if missing). Undefined: in memory. Ignored with `url`. */
  dataDir?: string | undefined;
  /** Schema to create (if missing) and put first on the search_path, e.g. a random one per test. */
  schema?: string | undefined;
  /** Pool size for PostgreSQL. Default 4. */
  maxConnections?: number | undefined;
  /** How long a PostgreSQL connection attempt may take before failing as unavailable. Default 5000 ms. */
  connectTimeoutMs?: number | undefined;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names go into SQL text (search_path), so only plain identifiers are allowed. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`schema "${schema}" must match ${SCHEMA_NAME} (lower-case identifier)`);
  return schema;
}
