/** The reconciliation report: what `admin verify`, the quality gate and benches read. */
import type { RangeSummary } from "./range-set.js";

export type VerifyStatus = "PASSED" | "FAILED";

/** Trade ids of one (source, symbol): the log against bronze. */
export interface TradeVerdict {
  source: string;
  symbol: string;
  /** Whether the source's ids are consecutive (holes are only meaningful then). */
  consecutiveIds: boolean;
  logTrades: number;
  /** Ids the log holds more than once (the symbol actor drops the repeats; bronze keeps them). */
  logRepeats: number;
  bronzeTrades: number;
  firstId: number | null;
  lastId: number | null;
  /** Ids missing from the log between its first and last id that ingest did not report as exchange gaps. */
  holes: RangeSummary;
  /** Ids missing from the log that ingest reported as never sent by the exchange. */
  reportedGapIds: number;
  missingFromBronze: RangeSummary;
  extraInBronze: RangeSummary;
  /** Ids bronze holds more than once. */
  duplicateIds: RangeSummary;
}

/** Windows of one symbol: the bars that should have closed against the silver table. Ranges are window starts (ms). */
export interface BarVerdict {
  symbol: string;
  /** Windows closed by the log's trades, from the first window the log covers in full. */
  expected: number;
  present: number;
  /** Last window start the silver log holds up to the silver writer's commit; later windows are pending. */
  horizon: number | null;
  /** Expected windows after the horizon: not compared yet. */
  pending: number;
  missing: RangeSummary;
  doubled: RangeSummary;
  /** Bars in silver for windows no trade closed. */
  unexpected: RangeSummary;
}

export interface StreamRange {
  stream: string;
  /** First and last log sequence compared (null: nothing in range). */
  fromSeq: number | null;
  toSeq: number | null;
  /** The lake writer's committed sequence (Delta txn); -1 when the table holds nothing. */
  committedSeq: number;
  /** Log messages after the committed sequence: not yet in the table, not compared. */
  uncommitted: number;
  messages: number;
}

export interface VerifyTotals {
  symbols: number;
  logTrades: number;
  bronzeTrades: number;
  holes: number;
  reportedGapIds: number;
  missingFromBronze: number;
  extraInBronze: number;
  duplicateIds: number;
  barsExpected: number;
  barsPresent: number;
  barsPending: number;
  missingBars: number;
  doubledBars: number;
  unexpectedBars: number;
  /** The same windows against PostgreSQL's serving table (0 when it is not compared). */
  servingExpected: number;
  servingPresent: number;
  servingMissing: number;
  servingUnexpected: number;
}

export interface VerifyReport {
  status: VerifyStatus;
  /** Start of the compared range (ms, log time); null: everything the log still holds. */
  since: number | null;
  startedAt: number;
  finishedAt: number;
  trades: StreamRange;
  silver: StreamRange;
  totals: VerifyTotals;
  /** Only the symbols with a finding, trades and bars each. */
  tradeFindings: TradeVerdict[];
  barFindings: BarVerdict[];
  /** PostgreSQL's silver_bars (upserted by the serving writer), up to its consumer's ack floor; null: not compared. */
  serving: { durable: string; ackFloor: number } | null;
  servingFindings: BarVerdict[];
  /** Anything that limited the comparison (a missing table or stream, a sample cut short). */
  notes: string[];
}
