/** The quality gate's vocabulary: checks, their outcome, the offending rows and the report. */

export type CheckName = "price" | "features" | "timestamps" | "duplicates" | "gaps" | "staleness" | "range" | "reconcile";
export type CheckStatus = "PASSED" | "WARN" | "FAILED";
/** Overall outcome of a run; ERROR = the run itself broke (e.g. the lake was unreachable). */
export type ReportStatus = CheckStatus | "ERROR";

/** Which row a violation is about. `key` identifies the row inside its table (see quarantine.ts). */
export interface RowRef {
  table: string;
  symbol: string;
  key: string;
  /** Trade time or window end (ms), when the row has one. */
  eventTime: number | null;
  /** Log (stream) sequence the row came from, when its table records it (silver does, bronze does not). */
  logSeq: number | null;
  row: Record<string, unknown>;
}

export interface Violation {
  check: CheckName;
  /** Finer rule, e.g. "price_not_positive", "future_timestamp", "duplicate_trade_id". */
  rule: string;
  ref: RowRef;
  detail: string;
  /** Row-level defects are quarantined; gaps and silent symbols have no row to move. */
  quarantine: boolean;
}

export interface CheckResult {
  check: CheckName;
  /** Display name: the check, or a range rule's name. */
  name: string;
  table: string;
  status: CheckStatus;
  checked: number;
  failed: number;
  /** A few offending rows for the report (the quarantine table has all of them). */
  samples: Violation[];
  violations: Violation[];
  note?: string;
}

/** A check result as stored and published: without the full violation list. */
export type CheckSummary = Omit<CheckResult, "violations">;

export interface QualityRunReport {
  reportId: string;
  trigger: string;
  /** Start of the audited range (ms); null: the whole tables. */
  since: number | null;
  startedAt: number;
  finishedAt: number;
  status: ReportStatus;
  rowsChecked: number;
  rowsFailed: number;
  /** Rows newly written to the quarantine table by this run. */
  quarantined: number;
  checks: CheckSummary[];
  error?: string;
}

export function summarize(r: CheckResult): CheckSummary {
  const { violations: _all, ...rest } = r;
  return rest;
}
