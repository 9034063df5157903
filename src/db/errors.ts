/** Named database errors. `retryable` tells a caller (ServingWriter, supervisor) whether waiting helps. */
import type { Queryable } from "./database.js";

export class DatabaseError extends Error {
  override readonly name: string = "DatabaseError";
  /** SQLSTATE when the server sent one (e.g. "23505"), else a Node error code or undefined. */
  readonly code: string | undefined;
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; code?: string | undefined; retryable: boolean }) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.retryable = options.retryable;
  }
}

/** The server could not be reached or went away: the data is fine, try again later. */
export class DatabaseUnavailableError extends DatabaseError {
  override readonly name = "DatabaseUnavailableError";
  constructor(message: string, options: { cause?: unknown; code?: string | undefined }) {
    super(message, { ...options, retryable: true });
  }
}

/** The server rejected the statement (syntax, constraint, type). Retrying the same SQL won't help, except for serialization failures and deadlocks. */
export class QueryError extends DatabaseError {
  override readonly name = "QueryError";
}

export class MigrationError extends Error {
  override readonly name = "MigrationError";
}

/** SQLSTATE classes/codes meaning "the connection or server is not usable right now". */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300|53400)/;
/** Transaction conflicts that succeed when simply retried. */
const RETRY_SQLSTATE = new Set(["40001", "40P01"]);
const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN", "ENETUNREACH"]);
/** node-postgres reports these without a code. */
const UNAVAILABLE_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Connection refused/i, /the database system is (starting up|shutting down|in recovery mode)/i];

/** Turns whatever a driver threw into a DatabaseError subclass (idempotent). */
export function toDatabaseError(err: unknown, sql?: string): DatabaseError {
  if (err instanceof DatabaseError) return err;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : undefined;
  const message = typeof e?.message === "string" ? e.message : String(err);
  const where = sql ? ` (in: ${sql.replace(/\s+/g, " ").slice(0, 120)})` : "";
  const isSqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code);
  if ((isSqlState && UNAVAILABLE_SQLSTATE.test(code)) || (code !== undefined && UNAVAILABLE_NODE_CODES.has(code)) || UNAVAILABLE_MESSAGES.some((re) => re.test(message))) {
    return new DatabaseUnavailableError(`database unavailable: ${message}`, { cause: err, code });
  }
  return new QueryError(`${message}${where}`, { cause: err, code, retryable: code !== undefined && RETRY_SQLSTATE.has(code) });
}

/** `driver` with its failures turned into DatabaseErrors that name the statement: how each driver's Queryable reports. */
export function withDatabaseErrors(driver: Queryable): Queryable {
  return {
    async query<T extends object>(sql: string, params?: readonly unknown[]) {
      try {
        return await driver.query<T>(sql, params);
      } catch (err) {
        throw toDatabaseError(err, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await driver.exec(sql);
      } catch (err) {
        throw toDatabaseError(err, sql);
      }
    },
  };
}

/** The server refused the data itself (SQLSTATE class 22 data exception, 23 integrity violation): the same rows will always fail. */
export function isDataError(err: DatabaseError): boolean {
  return err instanceof QueryError && err.code !== undefined && /^2[23]/.test(err.code);
}
