import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startNatsWithStreams } from "../helpers/nats-streams.js";
import { waitFor } from "../helpers/wait.js";
import { startS3Server } from "../helpers-s3/s3-server.js";
import { openStorage } from "../../src/lake/storage/open.js";
import type { Storage } from "../../src/lake/storage/types.js";
import { DeltaTable } from "../../src/lake/table/table.js";
import { keyOfPath } from "../../src/lake/table/paths.js";
import { loadRecordedTrades } from "./fixtures/trades.js";
import { testS3 } from "./fixtures/s3-env.js";
import { duckQuery, sqlList } from "./fixtures/duckdb.js";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "bronze-child.ts");
const trades = loadRecordedTrades();

/** Exact decimal sum of strings like "61234.56000000" (8 decimals) as a scaled bigint. */
function decimalSum(values: string[]): bigint {
  return values.reduce((s, v) => {
    const [i = "0", f = ""] = v.split(".");
    return s + BigInt(i + f.padEnd(8, "0").slice(0, 8));
  }, 0n);
}

interface ChildRun {
  exit: Promise<void>;
  kill(): void;
  output: string[];
}

function runChild(env: Record<string, string>): ChildRun {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  child.stdout.on("data", (d: Buffer) => { if (process.env.LAKE_TEST_DEBUG) process.stderr.write(d); }); child.stderr.on("data", (d: Buffer) => { if (process.env.LAKE_TEST_DEBUG) process.stderr.write(d); });
  child.stdout.on("data", (d: Buffer) => output.push(...d.toString().split("\n").filter(Boolean)));
  child.stderr.on("data", (d: Buffer) => output.push(...d.toString().split("\n").filter(Boolean).map((l) => `stderr: ${l}`)));
  const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { exit, output, kill: () => child.kill("SIGKILL") };
}

async function exactlyOnce(lakeUri: string, storage: Storage, extraEnv: Record<string, string>): Promise<void> {
  await using nats = await startNatsWithStreams([{ name: "TRADES", subjects: ["md.trades.>"] }]);
  const { js } = nats;
  // Mixed message shapes: single Trades and JSON arrays of 2..40 Trades.
  let lastSeq = 0;
  for (let i = 0, n = 0; i < trades.length; i += n, lastSeq++) {
    n = lastSeq % 5 === 0 ? 1 : 2 + ((lastSeq * 7) % 39);
    const chunk = trades.slice(i, i + n);
    await js.publish("md.trades.0.BTCUSDT", JSON.stringify(chunk.length === 1 ? chunk[0] : chunk));
  }
  const env = { ...extraEnv, NATS_URL: nats.server.url, LAKE_URI: lakeUri, STREAM: "TRADES", DURABLE: "lake-bronze", MAX_ROWS: "1500", BATCH: "40" };

  // Crash rounds: at the injected points (after the data files, before the commit; after the
  // commit, before the ack), then SIGKILLs from outside at arbitrary moments.
  const plan = ["afterFilesWritten:1", "afterCommit:1", "afterFilesWritten:2", "kill", "afterCommit:3", "kill"];
  let injected = 0;
  for (const [round, step] of plan.entries()) {
    const child = runChild({ ...env, CRASH_AT: step === "kill" ? "" : step });
    if (step === "kill") {
      // Kill once this incarnation has made progress (or immediately if there is none left to make).
      const before = await committedSeq(storage);
      await waitFor(async () => before === lastSeq || (await committedSeq(storage)) > before || child.output.some((l) => l.startsWith("COMMIT")), {
        timeoutMs: 60_000,
        what: `round ${round} progress`,
      });
      child.kill();
    }
    await child.exit;
    if (child.output.some((l) => l.startsWith("CRASH"))) injected++;
  }
  assert.ok(injected >= 3, `at least three injected crashes happened (got ${injected})`);

  // A final incarnation with no crash finishes the stream.
  const last = runChild({ ...env, CRASH_AT: "" });
  await waitFor(async () => (await committedSeq(storage)) === lastSeq, { timeoutMs: 90_000, what: "all messages committed" });
  last.kill();
  await last.exit;

  const table = new DeltaTable(storage);
  const rows = await table.read();
  assert.equal(rows.length, trades.length, "exactly 19,904 bronze rows");
  const ids = rows.map((r) => r.trade_id as number).sort((a, b) => a - b);
  assert.deepEqual(ids, trades.map((t) => t.tradeId).sort((a, b) => a - b), "exactly the recorded trade ids");
  const byId = new Map(trades.map((t) => [t.tradeId, t]));
  for (const r of rows) {
    const t = byId.get(r.trade_id as number)!;
    assert.equal(r.price_text, t.priceText);
    assert.equal(r.trade_time, t.tradeTime);
    assert.equal(r.symbol, "BTCUSDT");
  }

  // Independent check: DuckDB reads every data file the log references.
  const snap = await table.snapshot();
  const dir = mkdtempSync(join(tmpdir(), "lake-duck-"));
  try {
    const paths: string[] = [];
    for (const f of snap.files.values()) {
      const key = keyOfPath(f.path);
      const local = join(dir, key);
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, (await storage.get(key))!);
      paths.push(local);
    }
    const [duck] = await duckQuery(
      `SELECT count(*)::BIGINT AS n, sum(trade_id)::VARCHAR AS ids, sum(CAST(price_text AS DECIMAL(38,8)))::VARCHAR AS price,
              sum(CAST(quantity_text AS DECIMAL(38,8)))::VARCHAR AS qty, count(DISTINCT trade_id)::BIGINT AS distinct_ids
       FROM read_parquet(${sqlList(paths)})`,
    );
    const ours = {
      n: rows.length,
      ids: rows.reduce((s, r) => s + BigInt(r.trade_id as number), 0n).toString(),
      price: decimalSum(rows.map((r) => r.price_text as string)),
      qty: decimalSum(rows.map((r) => r.quantity_text as string)),
    };
    assert.equal(Number(duck!.n), ours.n);
    assert.equal(Number(duck!.distinct_ids), ours.n);
    assert.equal(duck!.ids, ours.ids);
    assert.equal(decimalSum([String(duck!.price)]), ours.price);
    assert.equal(decimalSum([String(duck!.qty)]), ours.qty);
    assert.equal(ours.price, decimalSum(trades.map((t) => t.priceText)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function committedSeq(storage: Storage): Promise<number> {
  try {
    return (await new DeltaTable(storage).snapshot()).txns.get("bronze:lake-bronze") ?? -1;
  } catch {
    return -1;
  }
}

test("exactly-once bronze writer under SIGKILL: local disk", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lake-eo-"));
  try {
    await exactlyOnce(dir, openStorage(dir), {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("exactly-once bronze writer under SIGKILL: S3 over HTTP", async () => {
  await using s3 = await startS3Server();
  const bucket = s3.createBucket("lake");
  const uri = `s3://${bucket}/tables/bronze_trades`;
  await exactlyOnce(uri, openStorage(uri, testS3(s3.endpoint)), { S3_ENDPOINT: s3.endpoint });
  assert.ok((s3.calls.get("PutObjectIfNoneMatch") ?? 0) > 0, "commits used conditional puts");
});
