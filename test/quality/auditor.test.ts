/**
 * A real run over a lake on disk and PostgreSQL (a fresh schema): planted defects are reported,
 * their rows quarantined once (not again on the next run), the report is stored with history,
 * and training-side filters (lake index, SQL) drop exactly the quarantined bars.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate, listQualityReports, qualityViolations, upsertSilverBars } from "../../src/db/index.js";
import { Lake } from "../../src/lake/index.js";
import { createLogger, type LogRecord } from "../../src/runtime/log.js";
import { DEFAULT_QUALITY_OPTIONS, loadQuarantineIndex, notQuarantinedSql, readQuarantine, runAudit, type QualityRunReport } from "../../src/quality/index.js";
import type { SilverBarRow as ServingRow } from "../../src/contracts/silver-bar.js";
import { postgresBackend } from "../db/fixtures.js";
import { btcTrades, silverBarsOf, writeBronzeAndSilver } from "./fixtures.js";

async function seedLake(dir: string) {
  const lake = Lake.open(dir);
  const trades = btcTrades().map((t) => ({ ...t }));
  const bars = silverBarsOf("BTCUSDT", trades).map((b) => ({ ...b }));
  const now = Math.max(...trades.map((t) => t.tradeTime)) + 1_000;
  // Planted: a zero price, a redelivered trade, a gap of 2; a bar with a zero close and one missing features.
  trades[10]!.price = 0;
  trades.splice(500, 0, { ...trades[400]! });
  trades.splice(1000, 2);
  bars[15]!.close = 0;
  Object.assign(bars[40]!, { lag1: null, lag3: null, ma5: null, ma10: null, momentum: null, volatilityChange: null });
  await writeBronzeAndSilver(lake, trades, bars, "test");
  return { lake, trades, bars, now, bad: [bars[15]!, bars[40]!] };
}

test("an audit run reports, quarantines once, stores history, and training filters drop the quarantined bars", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quality-"));
  await using db = await postgresBackend().open();
  try {
    await migrate(db);
    const { lake, bars, now, bad } = await seedLake(dir);
    const logs: LogRecord[] = [];
    const log = createLogger({ node: "n1", level: "debug", component: "quality", write: () => {}, sink: (r) => logs.push(r) });
    const published: QualityRunReport[] = [];
    const deps = { lake, db, log, now: () => now, subscribed: () => ["BTCUSDT"], options: DEFAULT_QUALITY_OPTIONS, publish: (_s: string, r: QualityRunReport) => published.push(r) };

    const report = await runAudit(deps, { trigger: "test", sinceMs: null });
    assert.equal(report.status, "FAILED");
    const by = (name: string, table: string) => report.checks.find((c) => c.name === name && c.table === table)!;
    assert.equal(by("price", "bronze_trades").failed, 1);
    assert.equal(by("duplicates", "bronze_trades").failed, 1);
    assert.equal(by("gaps", "bronze_trades").status, "WARN");
    assert.equal(by("gaps", "bronze_trades").failed, 2);
    assert.equal(by("price", "silver_bars").failed, 1);
    assert.equal(by("features", "silver_bars").failed, 1);
    assert.equal(by("timestamps", "bronze_trades").status, "PASSED");
    assert.equal(report.quarantined, 4);
    assert.deepEqual(published.map((p) => p.reportId), [report.reportId]);
    assert.ok(logs.some((l) => l.level === "error" && l.message.includes("check price on silver_bars: FAILED")));
    assert.ok(logs.some((l) => l.message.startsWith(`quality run ${report.reportId} FAILED`)));

    // Quarantine: the rows, their rules, the silver log sequence.
    const q = await readQuarantine(lake);
    assert.deepEqual(q.map((e) => `${e.sourceTable}/${e.rule}`).sort(), ["bronze_trades/duplicate_trade_id", "bronze_trades/price_not_positive", "silver_bars/missing_feature", "silver_bars/price_not_positive"]);
    const silverQ = q.filter((e) => e.sourceTable === "silver_bars").sort((a, b) => a.eventTime! - b.eventTime!);
    assert.deepEqual(silverQ.map((e) => [e.rowKey, e.logSeq, e.reportId]), bad.map((b) => [String(b.windowEnd), b.logSeq, report.reportId]));
    const index = await loadQuarantineIndex(lake);
    const kept = index.excludeBars(bars);
    assert.equal(kept.length, bars.length - 2);
    for (const b of bad) assert.ok(index.isBarQuarantined(b) && !kept.includes(b), `bar ${b.windowEnd} not quarantined: ${JSON.stringify(q.map((e) => [e.rowKey, e.symbol, e.rule]))}`);

    // PostgreSQL: report with history and violations; the SQL filter drops the same bars.
    const stored = await listQualityReports(db);
    assert.equal(stored[0]!.reportId, report.reportId);
    assert.equal(stored[0]!.status, "FAILED");
    const violations = await qualityViolations(db, report.reportId);
    assert.ok(violations.some((v) => v.rule === "silver_bars/price_not_positive" && v.quarantined && v.windowEnd === bad[0]!.windowEnd));
    // The lake row is the serving row plus its log sequence (the serving table needs a volatility).
    const serving: ServingRow[] = bars.map(({ logSeq: _seq, ...row }) => ({ ...row, volatility: row.volatility ?? 0 }));
    await upsertSilverBars(db, serving);
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM silver_bars b WHERE ${notQuarantinedSql("b")}`);
    assert.equal(rows[0]!.n, bars.length - 2);

    // A second run finds the same defects but quarantines nothing new.
    const again = await runAudit(deps, { trigger: "test", sinceMs: null });
    assert.equal(again.status, "FAILED");
    assert.equal(again.quarantined, 0);
    assert.equal((await readQuarantine(lake)).length, 4);
    assert.equal((await listQualityReports(db)).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a run that cannot read the lake is stored as ERROR and rethrown", async () => {
  await using db = await postgresBackend().open();
  await migrate(db);
  const lake = Lake.open("/proc/definitely/not/a/lake");
  const broken = { ...lake, exists: async () => { throw new Error("disk on fire"); } } as unknown as Lake;
  const log = createLogger({ node: "n1", level: "error", write: () => {} });
  await assert.rejects(runAudit({ lake: broken, db, log, now: Date.now, subscribed: () => [], options: DEFAULT_QUALITY_OPTIONS }, { trigger: "test" }), /disk on fire/);
  const [r] = await listQualityReports(db);
  assert.equal(r!.status, "ERROR");
  assert.equal((r!.summary as { error: string }).error, "disk on fire");
});

/**
 * Shutdown cancels a run in flight (the quality component aborts its signal at stop-intake): the
 * run stops inside the read or the reconciliation it is in, stores ERROR "cancelled", quarantines
 * nothing and publishes no finished report. Uncancelled, the same lake gives FAILED with 4 rows
 * quarantined (the test above).
 */
for (const at of ["silver read", "reconciliation"] as const) {
  test(`a run cancelled during its ${at} is stored as ERROR "cancelled", quarantines nothing and is rethrown`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "quality-cancel-"));
    await using db = await postgresBackend().open();
    try {
      await migrate(db);
      const { lake, now } = await seedLake(dir);
      const shutdown = new AbortController();
      const stop = () => shutdown.abort(new Error("the node is shutting down"));
      const logs: LogRecord[] = [];
      // The bronze read is logged before silver is read: aborting there lands inside the silver read.
      const sink = (r: LogRecord) => (logs.push(r), at === "silver read" && /^read \d+ bronze trades/.test(r.message) && stop());
      const log = createLogger({ node: "n1", level: "debug", component: "quality", write: () => {}, sink });
      let verified = 0;
      const verify = async (_since: number | null, signal?: AbortSignal) => {
        verified++;
        stop();
        signal?.throwIfAborted();
        throw new Error("the signal did not reach the reconciliation");
      };
      const published: QualityRunReport[] = [];
      const deps = { lake, db, log, now: () => now, subscribed: () => ["BTCUSDT"], options: DEFAULT_QUALITY_OPTIONS, verify, signal: shutdown.signal, publish: (_s: string, r: QualityRunReport) => published.push(r) };
      await assert.rejects(runAudit(deps, { trigger: "test", sinceMs: null }), /cancelled: the node is shutting down/);
      assert.equal(verified, at === "silver read" ? 0 : 1, "a cancelled read goes no further");
      const [stored] = await listQualityReports(db);
      assert.equal(stored!.status, "ERROR");
      assert.equal((stored!.summary as { error: string }).error, "cancelled: the node is shutting down");
      assert.deepEqual(await readQuarantine(lake), [], "nothing quarantined by a cancelled run");
      assert.deepEqual(published.map((r) => [r.status, r.error]), [["ERROR", "cancelled: the node is shutting down"]]);
      assert.ok(!logs.some((r) => /silver bars/.test(r.message) && at === "silver read"), "the silver read did not finish");
      assert.ok(logs.some((r) => r.level === "warn" && /cancelled: the node is shutting down/.test(r.message)), "a WARN, not an ERROR 'broke'");
      assert.ok(!logs.some((r) => r.level === "error"), logs.filter((r) => r.level === "error").map((r) => r.message).join("; "));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
