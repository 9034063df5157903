import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMigrations, migrate, MigrationError, openDatabase } from "../../src/db/index.js";
import { backends, randomSchema, TEST_DATABASE_URL } from "./fixtures.js";

const EXPECTED_TABLES = [
  "admin_audit", "admin_audit_refusal_seqs", "candles_1m", "champion_history", "experiments", "feature_importances", "gold_model_runs", "gold_runs",
  "gold_test_results", "ingest_api_keys", "model_versions", "quality_reports", "quality_violations", "run_metrics", "run_params", "runs",
  "schema_migrations", "silver_bars", "trades",
];

for (const backend of backends()) {
  describe(`migrate on ${backend.name}`, () => {
    after(() => backend.shutdown());

    it("applies every migration once, in order, and is a no-op the second time", async () => {
      await using db = await backend.open();
      const all = loadMigrations().map((m) => m.version);
      assert.deepEqual(all, [...all].sort((a, b) => a - b));
      const first = await migrate(db);
      assert.deepEqual(first.applied, all);
      const second = await migrate(db);
      assert.deepEqual(second.applied, []);
      assert.deepEqual(second.alreadyApplied, all);
      const { rows } = await db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name",
      );
      assert.deepEqual(rows.map((r) => r.table_name), EXPECTED_TABLES);
    });

    it("refuses a migration edited after it was applied, and applies only new ones", async () => {
      await using db = await backend.open();
      const dir = mkdtempSync(join(tmpdir(), "migrations-"));
      try {
        writeFileSync(join(dir, "0001_one.sql"), "CREATE TABLE one (x integer);");
        assert.deepEqual((await migrate(db, loadMigrations(dir))).applied, [1]);
        writeFileSync(join(dir, "0002_two.sql"), "CREATE TABLE two (x integer);");
        assert.deepEqual((await migrate(db, loadMigrations(dir))).applied, [2]);
        writeFileSync(join(dir, "0001_one.sql"), "CREATE TABLE one (x bigint);");
        await assert.rejects(migrate(db, loadMigrations(dir)), (err: unknown) => err instanceof MigrationError && /0001?_one was changed/.test(err.message));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("rolls back a failing migration entirely and names it", async () => {
      await using db = await backend.open();
      const dir = mkdtempSync(join(tmpdir(), "migrations-"));
      try {
        writeFileSync(join(dir, "0001_ok.sql"), "CREATE TABLE ok_table (x integer);");
        writeFileSync(join(dir, "0002_bad.sql"), "CREATE TABLE bad_table (x integer); SELECT * FROM missing_table;");
        await assert.rejects(migrate(db, loadMigrations(dir)), (err: unknown) => err instanceof MigrationError && /0002_bad failed/.test(err.message));
        const { rows } = await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
        assert.deepEqual(rows, []);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("rejects badly named migration files", () => {
      const dir = mkdtempSync(join(tmpdir(), "migrations-"));
      try {
        writeFileSync(join(dir, "1_x.sql"), "SELECT 1;");
        assert.throws(() => loadMigrations(dir), MigrationError);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe("migrate with several nodes starting at once (PostgreSQL)", () => {
  it("applies each migration exactly once when 6 connections migrate the same schema concurrently", async () => {
    const schema = randomSchema("mig");
    const nodes = await Promise.all(Array.from({ length: 6 }, () => openDatabase({ url: TEST_DATABASE_URL, schema, maxConnections: 1 })));
    try {
      const reports = await Promise.all(nodes.map((db) => migrate(db)));
      const all = loadMigrations().map((m) => m.version);
      const appliedBy = reports.filter((r) => r.applied.length > 0);
      assert.equal(appliedBy.length, 1, "exactly one node applies the migrations");
      assert.deepEqual(appliedBy[0]!.applied, all);
      for (const r of reports) if (r.applied.length === 0) assert.deepEqual(r.alreadyApplied, all);
      const { rows } = await nodes[0]!.query<{ n: number }>("SELECT count(*) AS n FROM schema_migrations");
      assert.equal(rows[0]!.n, all.length);
    } finally {
      await nodes[0]!.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await Promise.all(nodes.map((db) => db.close()));
    }
  });
});
