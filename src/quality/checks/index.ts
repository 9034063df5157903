/** Every check over one audit's input: pure, so a test plants a defect and reads the outcome. */
import type { Trade } from "../../market/trade.js";
import type { SilverTableRow } from "../../lake/tables/silver-bars.js";
import type { QualityOptions, RangeRule } from "../options.js";
import type { CheckResult, CheckStatus, ReportStatus } from "../types.js";
import { checkBarDuplicates, checkBarFeatures, checkBarPrices, checkBarTimes } from "./bars.js";
import { checkRange, genericKeying, type RangeRowKeying } from "./ranges.js";
import { checkStaleSymbols, checkTradeDuplicates, checkTradeGaps, checkTradePrices, checkTradeTimes, keyTrades } from "./trades.js";

export interface AuditInput {
  /** Bronze trades in the audited range; undefined when the table does not exist yet. */
  trades?: readonly Trade[];
  /** Silver bars in the audited range; undefined when the table does not exist yet. */
  bars?: readonly SilverTableRow[];
  /** Rows each range rule reads (raw lake rows of its table). */
  ranges?: readonly { rule: RangeRule; rows: readonly Record<string, unknown>[]; keying?: RangeRowKeying }[];
  /** Symbols ingestion is subscribed to (for staleness). */
  subscribed?: readonly string[];
}

export function runChecks(input: AuditInput, o: QualityOptions, now: number): CheckResult[] {
  const out: CheckResult[] = [];
  if (input.trades) {
    const keyed = keyTrades(input.trades);
    out.push(checkTradePrices(keyed, o), checkTradeTimes(keyed, o, now), checkTradeDuplicates(keyed, o), checkTradeGaps(keyed, o));
    if (input.subscribed && input.subscribed.length > 0) out.push(checkStaleSymbols(input.subscribed, keyed, o, now));
  }
  if (input.bars) {
    out.push(checkBarPrices(input.bars, o), checkBarFeatures(input.bars, o), checkBarTimes(input.bars, o, now), checkBarDuplicates(input.bars, o));
  }
  for (const r of input.ranges ?? []) out.push(checkRange(r.rule, r.rows, r.keying ?? genericKeying, o.sampleLimit));
  return out;
}

const RANK: Record<CheckStatus, number> = { PASSED: 0, WARN: 1, FAILED: 2 };

/** The worst check status; no checks at all is PASSED. */
export function overallStatus(results: readonly CheckResult[]): ReportStatus {
  return results.reduce<CheckStatus>((worst, r) => (RANK[r.status] > RANK[worst] ? r.status : worst), "PASSED");
}

export { keyTrades, checkTradePrices, checkTradeTimes, checkTradeDuplicates, checkTradeGaps, checkStaleSymbols, BRONZE_TABLE } from "./trades.js";
export { checkBarPrices, checkBarFeatures, checkBarTimes, checkBarDuplicates, barKey, SILVER_TABLE } from "./bars.js";
export { checkRange, contentKey, genericKeying, ruleName, type RangeRowKeying } from "./ranges.js";
export { reconcileChecks } from "./reconcile.js";
