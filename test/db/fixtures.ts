/**
 * The two database backends every db test runs against: the machine's PostgreSQL (a fresh random
 * schema per test, dropped afterwards) and PGlite (one in-memory instance per test file, because
 * starting PGlite takes seconds; a fresh schema per test on it too).
 */
import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import { openDatabase, wrapPglite, pgliteParsers, type Database } from "../../src/db/index.js";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase extends Database {
  /** Drops the schema and closes. */
  [Symbol.asyncDispose](): Promise<void>;
}

export interface Backend {
  name: "postgres" | "pglite";
  open(): Promise<TestDatabase>;
  /** Releases what the backend holds for the whole file (the shared PGlite). */
  shutdown(): Promise<void>;
}

export function randomSchema(prefix = "t"): string {
  return `${prefix}_${randomBytes(6).toString("hex")}`;
}

function disposing(db: Database, drop: () => Promise<void>): TestDatabase {
  let disposed = false;
  return {
    ...db,
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      try {
        await drop();
      } finally {
        await db.close();
      }
    },
  };
}

export function postgresBackend(): Backend {
  return {
    name: "postgres",
    async open() {
      const schema = randomSchema();
      const db = await openDatabase({ url: TEST_DATABASE_URL, schema });
      return disposing(db, () => db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    },
    async shutdown() {},
  };
}

export function pgliteBackend(): Backend {
  let instance: Promise<PGlite> | undefined;
  return {
    name: "pglite",
    async open() {
      instance ??= PGlite.create({ parsers: pgliteParsers });
      const pg = await instance;
      const schema = randomSchema();
      const db = await wrapPglite(pg, { schema, ownsInstance: false });
      return disposing(db, () => db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE; SET search_path TO public`));
    },
    async shutdown() {
      if (instance) await (await instance).close();
    },
  };
}

export function backends(): Backend[] {
  return [postgresBackend(), pgliteBackend()];
}
