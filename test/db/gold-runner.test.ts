import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, runTransform } from "../../src/db/index.js";
import { onEachBackend } from "./each-backend.js";

function modelsDir(files: Record<string, string>): { dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "gold-models-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return { dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

onEachBackend("runTransform", (backend) => {
  it("a failing model fails the run, skips its downstream models and their tests, and still builds the rest", async () => {
    await using db = await backend.openMigrated();
    using m = modelsDir({
      "base.sql": "-- materialized: table\n-- test: not_null x\nSELECT 1 AS x",
      "broken.sql": "-- materialized: table\n-- test: not_null x\nSELECT x FROM {{ ref('base') }} WHERE no_such_column = 1",
      "after_broken.sql": "-- materialized: view\n-- test: not_null x\nSELECT x FROM {{ ref('broken') }}",
      "independent.sql": "-- materialized: view\nSELECT x + 1 AS y FROM {{ ref('base') }}",
    });
    const r = await runTransform(db, { modelsDir: m.dir });
    assert.equal(r.status, "failed");
    assert.deepEqual(r.models.map((x) => [x.model, x.status]), [["base", "success"], ["broken", "error"], ["after_broken", "skipped"], ["independent", "success"]]);
    assert.match(r.models[1]!.error!, /no_such_column/);
    assert.deepEqual(r.tests.map((t) => [t.model, t.status]), [["base", "pass"], ["broken", "skipped"], ["after_broken", "skipped"]]);
    const stored = (await db.query<{ model: string; status: string }>("SELECT model, status FROM gold_model_runs WHERE run_id = $1 ORDER BY model", [r.runId])).rows;
    assert.deepEqual(stored.map((s) => [s.model, s.status]), [["after_broken", "skipped"], ["base", "success"], ["broken", "error"], ["independent", "success"]]);
    assert.deepEqual((await db.query("SELECT y FROM independent")).rows, [{ y: 2 }]);
  });

  it("rebuilds tables atomically and switches a model between view and table, keeping dependent views working", async () => {
    await using db = await backend.openMigrated();
    await db.exec("CREATE TABLE src (k integer, v integer); INSERT INTO src VALUES (1, 10), (2, 20)");
    {
      using m = modelsDir({
        "mid.sql": "-- materialized: view\nSELECT k, v * 2 AS v2 FROM src",
        "top.sql": "-- materialized: view\nSELECT sum(v2) AS total FROM {{ ref('mid') }}",
      });
      assert.equal((await runTransform(db, { modelsDir: m.dir })).status, "success");
      assert.deepEqual((await db.query("SELECT total FROM top")).rows, [{ total: 60 }]);
    }
    await db.exec("INSERT INTO src VALUES (3, 30)");
    using m = modelsDir({
      "mid.sql": "-- materialized: table\n-- unique_key: k\n-- test: unique k\nSELECT k, v * 2 AS v2, v AS raw FROM src",
      "top.sql": "-- materialized: view\nSELECT sum(v2) AS total, max(raw) AS top_raw FROM {{ ref('mid') }}",
    });
    const r = await runTransform(db, { modelsDir: m.dir });
    assert.equal(r.status, "success");
    assert.equal(r.models[0]!.rows, 3);
    assert.deepEqual((await db.query("SELECT total, top_raw FROM top")).rows, [{ total: 120, top_raw: 30 }]);
    const kinds = (await db.query<{ table_name: string; table_type: string }>("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('mid', 'top', 'mid__build') ORDER BY 1")).rows;
    assert.deepEqual(kinds, [{ table_name: "mid", table_type: "BASE TABLE" }, { table_name: "top", table_type: "VIEW" }]);
    // With `select`, the selected model and its downstream run; nothing else.
    const only = await runTransform(db, { modelsDir: m.dir, select: ["mid"] });
    assert.deepEqual(only.models.map((x) => x.model), ["mid", "top"]);
  });

  it("incremental models merge by unique key: changed rows update, new rows insert, nothing duplicates", async () => {
    await using db = await backend.openMigrated();
    await db.exec("CREATE TABLE events (k integer, t bigint, v integer); INSERT INTO events VALUES (1, 100, 1), (2, 200, 2)");
    using m = modelsDir({
      "latest.sql": [
        "-- materialized: incremental",
        "-- unique_key: k",
        "-- test: unique k",
        "SELECT k, max(t) AS t, sum(v) AS v FROM events",
        "{% if is_incremental %}WHERE k >= (SELECT max(k) FROM {{ this }}){% endif %}",
        "GROUP BY k",
      ].join("\n"),
    });
    await runTransform(db, { modelsDir: m.dir });
    await db.exec("INSERT INTO events VALUES (2, 250, 5), (3, 300, 3), (1, 999, 100)");
    const r = await runTransform(db, { modelsDir: m.dir });
    assert.equal(r.models[0]!.rows, 2); // keys 2 and 3 merged; key 1 is below the incremental filter
    assert.deepEqual((await db.query("SELECT k, t, v FROM latest ORDER BY k")).rows, [{ k: 1, t: 100, v: 1 }, { k: 2, t: 250, v: 7 }, { k: 3, t: 300, v: 3 }]);
    await runTransform(db, { modelsDir: m.dir, fullRefresh: true });
    assert.deepEqual((await db.query("SELECT k, t, v FROM latest ORDER BY k")).rows, [{ k: 1, t: 999, v: 101 }, { k: 2, t: 250, v: 7 }, { k: 3, t: 300, v: 3 }]);
  });
});

describe("runTransform from several nodes at once (PostgreSQL)", () => {
  it("serialises model builds per schema, so concurrent runs all succeed", async () => {
    const { openDatabase } = await import("../../src/db/index.js");
    const { randomSchema, TEST_DATABASE_URL } = await import("./fixtures.js");
    const schema = randomSchema("gold");
    const nodes = await Promise.all([0, 1, 2].map(() => openDatabase({ url: TEST_DATABASE_URL, schema, maxConnections: 2 })));
    try {
      await migrate(nodes[0]!);
      await nodes[0]!.exec("CREATE TABLE src AS SELECT g AS k, g * 2 AS v FROM generate_series(1, 5000) AS g");
      using m = modelsDir({
        "a.sql": "-- materialized: table\n-- unique_key: k\nSELECT k, v FROM src",
        "b.sql": "-- materialized: incremental\n-- unique_key: k\nSELECT k, v + 1 AS w FROM {{ ref('a') }}",
        "c.sql": "-- materialized: view\nSELECT count(*) AS n FROM {{ ref('b') }}",
      });
      const reports = await Promise.all(nodes.map((db) => runTransform(db, { modelsDir: m.dir })));
      assert.deepEqual(reports.map((r) => r.status), ["success", "success", "success"], JSON.stringify(reports.flatMap((r) => r.models.filter((x) => x.error))));
      assert.deepEqual((await nodes[1]!.query("SELECT n FROM c")).rows, [{ n: 5000 }]);
    } finally {
      await nodes[0]!.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await Promise.all(nodes.map((db) => db.close()));
    }
  });
});
