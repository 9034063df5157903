import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseUnavailableError, openDatabase, QueryError } from "../../src/db/index.js";
import { freePort } from "../helpers/ports.js";
import { backends } from "./fixtures.js";

for (const backend of backends()) {
  describe(`Database on ${backend.name}`, () => {
    after(() => backend.shutdown());

    it("returns the same JS types on both backends", async () => {
      await using db = await backend.open();
      assert.equal(db.kind, backend.name);
      const { rows } = await db.query<Record<string, unknown>>(
        "SELECT 1700000000123::bigint AS ms, 2.5::double precision AS f, 1.25::numeric AS n, 7::integer AS i, 'x'::text AS t, date '2019-10-11' AS d, NULL::text AS nothing, true AS b",
      );
      assert.deepEqual(rows, [{ ms: 1700000000123, f: 2.5, n: 1.25, i: 7, t: "x", d: "2019-10-11", nothing: null, b: true }]);
    });

    it("binds parameters, counts affected rows, runs scripts", async () => {
      await using db = await backend.open();
      await db.exec("CREATE TABLE kv (k text PRIMARY KEY, v bigint); CREATE INDEX kv_v ON kv (v)");
      const ins = await db.query("INSERT INTO kv SELECT * FROM unnest($1::text[], $2::bigint[])", [["a", "b", "c"], [1, 2, null]]);
      assert.equal(ins.rowCount, 3);
      const upd = await db.query("UPDATE kv SET v = v + $1 WHERE v IS NOT NULL", [10]);
      assert.equal(upd.rowCount, 2);
      const sel = await db.query<{ k: string; v: number | null }>("SELECT k, v FROM kv ORDER BY k");
      assert.equal(sel.rowCount, 3);
      assert.deepEqual(sel.rows, [{ k: "a", v: 11 }, { k: "b", v: 12 }, { k: "c", v: null }]);
    });

    it("commits a transaction that resolves and rolls back one that throws, passing the caller's error through", async () => {
      await using db = await backend.open();
      await db.exec("CREATE TABLE t (x integer PRIMARY KEY)");
      const value = await db.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (1)");
        return "done";
      });
      assert.equal(value, "done");
      class Boom extends Error {}
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO t VALUES (2)");
          throw new Boom("no");
        }),
        Boom,
      );
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query("INSERT INTO t VALUES (3)");
          await tx.query("INSERT INTO t VALUES (1)");
        }),
        (err: unknown) => err instanceof QueryError && err.code === "23505" && !err.retryable,
      );
      const { rows } = await db.query<{ x: number }>("SELECT x FROM t ORDER BY x");
      assert.deepEqual(rows.map((r) => r.x), [1]);
    });

    it("wraps SQL errors as QueryError with the SQLSTATE", async () => {
      await using db = await backend.open();
      await assert.rejects(db.query("SELECT * FROM no_such_table"), (err: unknown) => err instanceof QueryError && err.code === "42P01");
      await assert.rejects(db.exec("SELEC 1"), (err: unknown) => err instanceof QueryError && err.code === "42601");
    });

    it("keeps each test's tables in its own schema", async () => {
      await using a = await backend.open();
      await a.exec("CREATE TABLE only_here (x integer)");
      assert.equal((await a.query<{ s: string }>("SELECT current_schema() AS s")).rows[0]!.s, a.schema);
      const aSchema = a.schema;
      await a[Symbol.asyncDispose]();
      await using b = await backend.open();
      assert.notEqual(b.schema, aSchema);
      await assert.rejects(b.query("SELECT * FROM only_here"), QueryError);
    });
  });
}

describe("openDatabase", () => {
  it("reports an unreachable PostgreSQL as DatabaseUnavailableError (retryable)", async () => {
    const port = await freePort();
    await using db = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 2000 });
    await assert.rejects(db.query("SELECT 1"), (err: unknown) => err instanceof DatabaseUnavailableError && err.retryable);
    await assert.rejects(db.transaction(async () => 1), DatabaseUnavailableError);
  });

  it("persists PGlite data under dataDir across reopen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pglite-test-"));
    try {
      {
        await using db = await openDatabase({ dataDir: join(dir, "pglite"), schema: "app" });
        await db.exec("CREATE TABLE kept (x integer); INSERT INTO kept VALUES (42)");
      }
      await using db = await openDatabase({ dataDir: join(dir, "pglite"), schema: "app" });
      assert.deepEqual((await db.query("SELECT x FROM kept")).rows, [{ x: 42 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses schema names that are not plain identifiers", async () => {
    await assert.rejects(openDatabase({ schema: "x; DROP TABLE y" }), /schema/);
  });
});

describe("databaseOptionsFromConfig", () => {
  it("uses DATABASE_URL when set, PGlite under DATA_DIR otherwise", async () => {
    const { databaseOptionsFromConfig } = await import("../../src/db/index.js");
    assert.deepEqual(databaseOptionsFromConfig({ databaseUrl: "postgres://u@h/db", dataDir: "./data" }), { url: "postgres://u@h/db" });
    assert.deepEqual(databaseOptionsFromConfig({ databaseUrl: "", dataDir: "./data/" }), { dataDir: "./data/pglite" });
  });
});
