import { test } from "node:test";
import assert from "node:assert/strict";
import { renderVerify } from "../../src/admin/render-verify.js";
import { reconcileChecks } from "../../src/quality/checks/reconcile.js";
import { RangeSet } from "../../src/verify/range-set.js";
import { BronzeTrades, LogTrades, statusOf, totalsOf, tradeVerdict } from "../../src/verify/reconcile.js";
import type { VerifyReport } from "../../src/verify/types.js";

function reportWith(bronzeIds: number[]): VerifyReport {
  const log = new LogTrades();
  for (let id = 1; id <= 100; id++) if (id !== 50) log.add(id);
  const bronze = new BronzeTrades();
  for (const id of bronzeIds) bronze.add(id);
  const v = tradeVerdict({ source: "binance", symbol: "BTCUSDT", consecutiveIds: true, log, bronze, reportedGaps: new RangeSet(), limit: 5 });
  const totals = totalsOf([v], []);
  const stream = { fromSeq: 1, toSeq: 10, committedSeq: 10, uncommitted: 2, messages: 10 };
  return { status: statusOf(totals), since: 0, startedAt: 0, finishedAt: 1500, trades: { stream: "TRADES", ...stream }, silver: { stream: "SILVER", ...stream }, totals, tradeFindings: totals.holes + totals.duplicateIds > 0 ? [v] : [], barFindings: [], serving: null, servingFindings: [], notes: [] };
}

test("the CLI text names each finding with its ids; the gate FAILS on it", () => {
  const bad = reportWith([...Array.from({ length: 100 }, (_, i) => i + 1).filter((id) => id !== 50), 7]);
  const text = renderVerify("n1", bad);
  assert.match(text, /^verify FAILED on n1: since 1970-01-01T00:00:00Z, 1\.5 s/);
  assert.match(text, /TRADES seq 1\.\.10 \(bronze committed 10, 2 not yet\)/);
  assert.match(text, /BTCUSDT\s+hole in the log\s+1  50\n/);
  assert.match(text, /BTCUSDT\s+duplicate in bronze\s+1  7/);
  const checks = reconcileChecks(bad, 5);
  assert.deepEqual(checks.map((c) => [c.table, c.status, c.failed]), [["bronze_trades", "FAILED", 2], ["silver_bars", "PASSED", 0]]);
  assert.deepEqual(checks[0]!.samples.map((s) => s.detail), ["BTCUSDT: id 50 missing from the log (no exchange gap reported)", "BTCUSDT: id 7 more than once in bronze"]);
});

test("a clean report renders its totals and passes the gate", () => {
  const clean = reportWith(Array.from({ length: 100 }, (_, i) => i + 1).filter((id) => id !== 50));
  // id 50 is a hole in the log here too; without a reported gap it still fails, so report it as one.
  const ok = { ...clean, status: "PASSED" as const, tradeFindings: [], totals: { ...clean.totals, holes: 0, reportedGapIds: 1 } };
  assert.match(renderVerify("n1", ok), /verify PASSED[\s\S]*0 hole\(s\), 0 missing from bronze, 0 extra, 0 duplicate id\(s\); 1 id\(s\) in reported exchange gaps/);
  assert.ok(reconcileChecks(ok, 5).every((c) => c.status === "PASSED"));
});
