/** Reconciliation of the log, bronze and silver: `verifyLake` (I/O) over the pure reconcile.ts. */
export { verifyLake, decodeLogEntries, VerifyLogMissing, VERIFY_EVENT_SUBJECT, type VerifyLakeOptions } from "./verify-lake.js";
export { RangeSet, difference, clip, holes, type Range, type RangeSummary } from "./range-set.js";
export { LogTrades, BronzeTrades, SilverWindows, ExpectedBars, tradeVerdict, barVerdict, totalsOf, statusOf, hasTradeFinding, hasBarFinding } from "./reconcile.js";
export type { VerifyReport, VerifyStatus, VerifyTotals, TradeVerdict, BarVerdict, StreamRange } from "./types.js";
