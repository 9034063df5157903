import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { runLakeCli, LakeCliUsageError } from "../../src/cli/lake.js";
import { Lake } from "../../src/lake/lake.js";
import { LakeWriter } from "../../src/lake/writer/lake-writer.js";
import { bronzeTradesDefinition, bronzeTradesMapping } from "../../src/lake/tables/bronze-trades.js";
import { loadRecordedTrades } from "./fixtures/trades.js";
import { startS3Server } from "../helpers-s3/s3-server.js";
import { lakeCliSettings } from "../../src/config/lake-cli.js";

test("lake CLI: tables, history, show, optimize, vacuum --dry-run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lake-cli-"));
  try {
    const lake = Lake.open(dir);
    const table = await lake.ensureTable(bronzeTradesDefinition);
    const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "cli" });
    const trades = loadRecordedTrades().slice(0, 300);
    for (let i = 0; i < 3; i++) {
      writer.add(trades.slice(i * 100, i * 100 + 100), i + 1);
      await writer.flush();
    }
    const env = { LAKE_URI: dir };
    assert.deepEqual((await runLakeCli(["tables"], env)).json, ["bronze_trades"]);
    const history = (await runLakeCli(["history", "bronze_trades"], env)).json as { version: number; operation: string }[];
    assert.deepEqual(history.map((h) => h.operation), ["WRITE", "WRITE", "WRITE", "CREATE TABLE"]);
    const show = (await runLakeCli(["show", "bronze_trades", "--version", "1", "--limit", "5"], env)).json as { version: number; rows: Record<string, unknown>[] };
    assert.equal(show.version, 1);
    assert.equal(show.rows.length, 5);
    assert.match(String(show.rows[0]!.trade_time), /^2024-08-0\dT/);
    const opt = (await runLakeCli(["--lake", dir, "optimize", "bronze_trades"], {})).json as { filesRemoved: number; filesAdded: number };
    assert.deepEqual([opt.filesRemoved, opt.filesAdded], [3, 1], "3 commits into one partition → 1 file");
    const dry = (await runLakeCli(["vacuum", "bronze_trades", "--dry-run", "--retention-hours", "0"], env)).json as { dryRun: boolean; deleted: string[] };
    assert.equal(dry.dryRun, true);
    assert.equal(dry.deleted.length, 3);
    await assert.rejects(runLakeCli(["frobnicate"], env), LakeCliUsageError);
    await assert.rejects(runLakeCli(["show"], env), LakeCliUsageError);

    // The real entry point, as `npm run lake` runs it.
    const out = spawnSync(process.execPath, ["--import", "tsx", "src/cli/lake.ts", "--lake", dir, "history", "bronze_trades", "--limit", "1"], { encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /OPTIMIZE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("lake CLI on S3: LAKE_URI=s3://bucket/prefix with endpoint and credentials from the environment", async () => {
  await using s3 = await startS3Server();
  const bucket = s3.createBucket("cli");
  const env = {
    LAKE_URI: `s3://${bucket}/lake`,
    S3_ENDPOINT: s3.endpoint,
    S3_ACCESS_KEY_ID: "k",
    S3_SECRET_ACCESS_KEY: "s",
  };
  const config = lakeCliSettings(env);
  const lake = Lake.open(config.uri, config.s3);
  const table = await lake.ensureTable(bronzeTradesDefinition);
  const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "cli-s3" });
  writer.add(loadRecordedTrades().slice(0, 50), 1);
  await writer.flush();
  assert.deepEqual((await runLakeCli(["tables"], env)).json, ["bronze_trades"]);
  const show = (await runLakeCli(["show", "bronze_trades"], env)).json as { version: number; rows: unknown[] };
  assert.deepEqual([show.version, show.rows.length], [1, 20]);
  assert.ok((s3.calls.get("ListObjectsV2") ?? 0) > 0);
});

test("lakeCliSettings: defaults and validation messages name the option", () => {
  assert.deepEqual(lakeCliSettings({}), { uri: "./data/lake", s3: { endpoint: undefined, region: "us-east-1", forcePathStyle: false, credentials: undefined } });
  assert.equal(lakeCliSettings({ LAKE_URI: "s3://b/p" }, "/tmp/x").uri, "/tmp/x");
  assert.equal(lakeCliSettings({ S3_ENDPOINT: "http://minio:9000" }).s3.forcePathStyle, true);
  assert.throws(() => lakeCliSettings({ S3_FORCE_PATH_STYLE: "yes" }), /S3_FORCE_PATH_STYLE/);
  assert.throws(() => lakeCliSettings({ S3_ACCESS_KEY_ID: "k" }), /S3_SECRET_ACCESS_KEY/);
});
