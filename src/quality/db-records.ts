/**
 * How a run lands in PostgreSQL (quality_reports / quality_violations, migration 0004), and the
 * SQL filter that keeps quarantined silver bars out of a query.
 */
import type { Queryable } from "../db/database.js";
import type { QualityReport, QualityStatus, QualityViolation } from "../db/registry/operations.js";
import type { QualityRunReport, Violation } from "./types.js";

/** Violation rules are stored as `<table>/<rule>` so a silver bar and a trade at the same ms never collide. */
export function storedRule(v: Pick<Violation, "rule" | "ref">): string {
  return `${v.ref.table}/${v.rule}`;
}

/** A run as its quality_reports row (status PASSED, WARN, FAILED, ERROR, or RUNNING while it runs). */
export function toDbReport(r: QualityRunReport | (Omit<QualityRunReport, "status" | "finishedAt"> & { status: "RUNNING"; finishedAt: null })): QualityReport {
  const status: QualityStatus = r.status;
  return {
    reportId: r.reportId,
    startedAt: new Date(r.startedAt),
    finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt),
    status,
    rowsChecked: r.rowsChecked,
    rowsFailed: r.rowsFailed,
    triggeredBy: r.trigger,
    summary: { status: r.status, since: r.since, quarantined: r.quarantined, checks: r.checks, ...(r.error ? { error: r.error } : {}) },
  };
}

/**
 * Violations stored with the report: every quarantined silver bar (so the SQL filter below is
 * complete) and the samples of every other check. Capped to keep one run's transaction bounded.
 */
export function toDbViolations(all: readonly Violation[], samples: readonly Violation[], quarantinedIds: ReadonlySet<string>, cap = 50_000): QualityViolation[] {
  const out = new Map<string, QualityViolation>();
  const push = (v: Violation) => {
    const rule = storedRule(v);
    const windowEnd = v.ref.eventTime ?? 0;
    const k = `${rule}|${v.ref.symbol}|${windowEnd}`;
    if (out.size >= cap || out.has(k)) return;
    const quarantined = quarantinedIds.has(`${v.ref.table}|${v.ref.symbol}|${v.ref.key}`);
    out.set(k, { rule, symbol: v.ref.symbol, windowEnd, detail: `${v.ref.key}: ${v.detail}`, quarantined });
  };
  for (const v of all) if (v.quarantine && v.ref.table === "silver_bars") push(v);
  for (const v of samples) push(v);
  return [...out.values()];
}

/**
 * `NOT EXISTS` clause excluding quarantined silver bars from a query over `silver_bars`:
 *   SELECT ... FROM silver_bars b WHERE ${notQuarantinedSql("b")}
 * Duplicate copies are not matched (the kept copy has the same key).
 */
export function notQuarantinedSql(alias: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) throw new RangeError(`bad SQL alias "${alias}"`);
  return `NOT EXISTS (SELECT 1 FROM quality_violations qv WHERE qv.quarantined AND qv.symbol = ${alias}.symbol AND qv.window_end = ${alias}.window_end AND qv.rule LIKE 'silver\\_bars/%' AND qv.rule <> 'silver_bars/duplicate_bar')`;
}

/** Window ends of quarantined silver bars of one symbol (from the db). */
export async function quarantinedWindowEnds(db: Queryable, symbol: string): Promise<Set<number>> {
  const { rows } = await db.query<{ window_end: number }>(
    `SELECT DISTINCT window_end FROM quality_violations WHERE quarantined AND symbol = $1 AND rule LIKE 'silver\\_bars/%' AND rule <> 'silver_bars/duplicate_bar'`,
    [symbol],
  );
  return new Set(rows.map((r) => Number(r.window_end)));
}
