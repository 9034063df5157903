/** Quality reports (migration 0004) and the admin audit log (0005). */
import type { Database, Queryable } from "../database.js";

export type QualityStatus = "RUNNING" | "PASSED" | "WARN" | "FAILED" | "ERROR";

export interface QualityViolation {
  rule: string;
  symbol: string;
  windowEnd: number;
  detail?: string;
  quarantined?: boolean;
}

export interface QualityReport {
  reportId: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: QualityStatus;
  rowsChecked: number;
  rowsFailed: number;
  triggeredBy: string | null;
  summary: Record<string, unknown>;
}

/** Writes (or rewrites) a report and its violations in one transaction. */
export async function saveQualityReport(db: Database, report: QualityReport, violations: readonly QualityViolation[] = []): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO quality_reports (report_id, started_at, finished_at, status, rows_checked, rows_failed, triggered_by, summary)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (report_id) DO UPDATE SET finished_at = EXCLUDED.finished_at, status = EXCLUDED.status, rows_checked = EXCLUDED.rows_checked,
         rows_failed = EXCLUDED.rows_failed, summary = EXCLUDED.summary`,
      [report.reportId, report.startedAt, report.finishedAt, report.status, report.rowsChecked, report.rowsFailed, report.triggeredBy, JSON.stringify(report.summary)],
    );
    if (violations.length === 0) return;
    await tx.query(
      `INSERT INTO quality_violations (report_id, rule, symbol, window_end, detail, quarantined)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::boolean[])
       ON CONFLICT (report_id, rule, symbol, window_end) DO UPDATE SET detail = EXCLUDED.detail, quarantined = EXCLUDED.quarantined`,
      [report.reportId, violations.map((v) => v.rule), violations.map((v) => v.symbol), violations.map((v) => v.windowEnd), violations.map((v) => v.detail ?? null), violations.map((v) => v.quarantined ?? false)],
    );
  });
}

export async function listQualityReports(db: Queryable, limit = 50): Promise<QualityReport[]> {
  return (
    await db.query<QualityReport>(
      `SELECT report_id AS "reportId", started_at AS "startedAt", finished_at AS "finishedAt", status, rows_checked AS "rowsChecked",
              rows_failed AS "rowsFailed", triggered_by AS "triggeredBy", summary
       FROM quality_reports ORDER BY started_at DESC, report_id LIMIT $1`,
      [limit],
    )
  ).rows;
}

export async function qualityViolations(db: Queryable, reportId: string): Promise<Required<QualityViolation>[]> {
  return (
    await db.query<Required<QualityViolation>>(
      `SELECT rule, symbol, window_end AS "windowEnd", coalesce(detail, '') AS detail, quarantined FROM quality_violations WHERE report_id = $1 ORDER BY symbol, window_end, rule`,
      [reportId],
    )
  ).rows;
}

export type AuditOutcome = "accepted" | "refused" | "succeeded" | "failed";

export interface AuditEntry {
  nodeId: string;
  principal: string;
  command: string;
  args?: Record<string, unknown>;
  outcome: AuditOutcome;
  detail?: string;
  at?: Date;
}

export interface AuditRecord extends Required<Omit<AuditEntry, "detail">> {
  id: number;
  detail: string | null;
  /** How many attempts the row stands for: 1, or a refusal summary's count (migration 0008). */
  attempts: number;
  /** A refusal summary's latest attempt; null for a single record. */
  lastAt: Date | null;
}

export async function appendAudit(db: Queryable, e: AuditEntry): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    "INSERT INTO admin_audit (at, node_id, principal, command, args, outcome, detail) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) RETURNING id",
    [e.at ?? new Date(), e.nodeId, e.principal, e.command, JSON.stringify(e.args ?? {}), e.outcome, e.detail ?? null],
  );
  return rows[0]!.id;
}

export async function listAudit(db: Queryable, limit = 100): Promise<AuditRecord[]> {
  return (
    await db.query<AuditRecord>(
      `SELECT id, at, node_id AS "nodeId", principal, command, args, outcome, detail, attempts, last_at AS "lastAt" FROM admin_audit ORDER BY id DESC LIMIT $1`,
      [limit],
    )
  ).rows;
}
