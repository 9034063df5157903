/**
 * The quality gate's view of a reconciliation (src/verify): every hole, loss, extra and duplicate
 * is a violation, so the run FAILS; none of them has a row to quarantine (the row is missing, or
 * its copies are identical). With a serving table compared, a third result covers PostgreSQL.
 */
import type { RangeSummary } from "../../verify/range-set.js";
import type { VerifyReport } from "../../verify/types.js";
import type { CheckResult, Violation } from "../types.js";
import { checkResult, fmtTime } from "./result.js";
import { BRONZE_TABLE } from "./trades.js";
import { SILVER_TABLE } from "./bars.js";

/** The serving copy of silver in PostgreSQL, as the report names it. */
const SERVING_TABLE = "postgres.silver_bars";

function violations(table: string, symbol: string, rule: string, s: RangeSummary, what: (from: number, to: number) => string, eventTime: boolean): Violation[] {
  return s.ranges.map(([from, to]) => ({
    check: "reconcile",
    rule,
    ref: { table, symbol, key: `${rule}:${from}..${to}`, eventTime: eventTime ? from : null, logSeq: null, row: { symbol, from, to } },
    detail: `${symbol}: ${what(from, to)}`,
    quarantine: false,
  }));
}

const ids = (from: number, to: number) => (from === to ? `id ${from}` : `ids ${from}..${to}`);
const windows = (from: number, to: number) => (from === to ? `window ${fmtTime(from)}` : `windows ${fmtTime(from)}..${fmtTime(to)}`);

export function reconcileChecks(r: VerifyReport, sampleLimit: number): CheckResult[] {
  const t = r.totals;
  const trades = r.tradeFindings.flatMap((f) => [
    ...violations(BRONZE_TABLE, f.symbol, "log_hole", f.holes, (a, b) => `${ids(a, b)} missing from the log (no exchange gap reported)`, false),
    ...violations(BRONZE_TABLE, f.symbol, "missing_from_bronze", f.missingFromBronze, (a, b) => `${ids(a, b)} in the log, not in bronze`, false),
    ...violations(BRONZE_TABLE, f.symbol, "extra_in_bronze", f.extraInBronze, (a, b) => `${ids(a, b)} in bronze, not in the log`, false),
    ...violations(BRONZE_TABLE, f.symbol, "duplicate_in_bronze", f.duplicateIds, (a, b) => `${ids(a, b)} more than once in bronze`, false),
  ]);
  const bars = r.barFindings.flatMap((f) => [
    ...violations(SILVER_TABLE, f.symbol, "missing_bar", f.missing, (a, b) => `${windows(a, b)} closed by trades, no bar in silver`, true),
    ...violations(SILVER_TABLE, f.symbol, "doubled_bar", f.doubled, (a, b) => `${windows(a, b)} more than once in silver`, true),
    ...violations(SILVER_TABLE, f.symbol, "unexpected_bar", f.unexpected, (a, b) => `${windows(a, b)} in silver, closed by no trade`, true),
  ]);
  const serving = r.servingFindings.flatMap((f) => [
    ...violations(SERVING_TABLE, f.symbol, "missing_bar", f.missing, (a, b) => `${windows(a, b)} closed by trades, not in the serving table`, true),
    ...violations(SERVING_TABLE, f.symbol, "unexpected_bar", f.unexpected, (a, b) => `${windows(a, b)} in the serving table, closed by no trade`, true),
  ]);
  const pending = `${r.trades.uncommitted} log message(s) after the bronze commit not compared`;
  const servingCheck = r.serving
    ? [checkResult("reconcile", SERVING_TABLE, t.servingExpected, serving, { sampleLimit, failedRows: t.servingMissing + t.servingUnexpected, note: `windows vs PostgreSQL up to SILVER seq ${r.serving.ackFloor}: ${t.servingMissing} missing, ${t.servingUnexpected} unexpected` })]
    : [];
  return [
    checkResult("reconcile", BRONZE_TABLE, t.logTrades, trades, {
      sampleLimit,
      failedRows: t.holes + t.missingFromBronze + t.extraInBronze + t.duplicateIds,
      note: `log vs bronze: ${t.holes} hole(s), ${t.missingFromBronze} lost, ${t.extraInBronze} extra, ${t.duplicateIds} duplicate id(s); ${t.reportedGapIds} id(s) in reported exchange gaps; ${pending}`,
    }),
    checkResult("reconcile", SILVER_TABLE, t.barsExpected, bars, {
      sampleLimit,
      failedRows: t.missingBars + t.doubledBars + t.unexpectedBars,
      note: `windows vs silver: ${t.missingBars} missing, ${t.doubledBars} doubled, ${t.unexpectedBars} unexpected; ${t.barsPending} after the silver commit not compared`,
    }),
    ...servingCheck,
  ];
}
