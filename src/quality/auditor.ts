/**
 * One audit run: read the audited range of bronze, silver and the range rules' tables from the
 * lake, run the pure checks, quarantine failing rows, store the report (PostgreSQL) and publish it
 * (`events.quality.report`). Every step is logged, so the control plane shows the run live.
 */
import { randomBytes } from "node:crypto";
import { readCustomTable } from "../custom/reader.js";
import type { Database } from "../db/database.js";
import { saveQualityReport } from "../db/registry/operations.js";
import type { Lake } from "../lake/lake.js";
import { tradeFromLakeRow } from "../contracts/trade.js";
import { silverBarFromRow } from "../lake/tables/silver-bars.js";
import type { Predicate } from "../lake/table/pruning.js";
import type { Logger } from "../runtime/log.js";
import { eventSubject } from "../runtime/nats/spec.js";
import type { VerifyReport } from "../verify/types.js";
import { BRONZE_TABLE, SILVER_TABLE, genericKeying, overallStatus, reconcileChecks, runChecks, type AuditInput, type RangeRowKeying } from "./checks/index.js";
import { toDbReport, toDbViolations } from "./db-records.js";
import type { QualityOptions } from "./options.js";
import { appendQuarantine, loadQuarantineIndex, quarantineEntries } from "./quarantine.js";
import { summarize, type CheckResult, type QualityRunReport } from "./types.js";

export const QUALITY_EVENT_SUBJECT = eventSubject("quality", "report");
export const DEFAULT_LOOKBACK_MS = 24 * 3_600_000;

export interface AuditorDeps {
  lake: Lake;
  /** Reports and violations are stored here when given. */
  db?: Database;
  /** Publishes the finished report (e.g. to the EVENTS stream). */
  publish?: (subject: string, report: QualityRunReport) => void;
  log: Logger;
  now: () => number;
  /** Symbols ingestion is subscribed to, for the staleness check. */
  subscribed: () => readonly string[];
  options: QualityOptions;
  /** Reconciles the log with bronze and silver (src/verify) over the run's range; its findings fail the run. */
  verify?: (sinceMs: number | null, signal?: AbortSignal) => Promise<VerifyReport>;
  /**
   * Aborted when the node shuts down: a run in flight stops within a file or a message, is stored
   * as ERROR "cancelled" (the database is still open then) and fails with QualityRunFailed.
   */
  signal?: AbortSignal;
}

export interface AuditRequest {
  trigger: string;
  reportId?: string;
  /** Audit rows from this time (ms); null: the whole tables. Default: the last 24 h. */
  sinceMs?: number | null;
}

export class QualityRunFailed extends Error {
  override readonly name = "QualityRunFailed";
  constructor(
    message: string,
    readonly report: QualityRunReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function newReportId(now: number): string {
  return `q-${new Date(now).toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
}

/** Row keys for range rules on our own tables match the checks' keys, so the quarantine index works for them too. */
function keyingFor(table: string): RangeRowKeying {
  if (table === SILVER_TABLE) return { ...genericKeying, key: (r) => String(Number(r.window_end)) };
  if (table === BRONZE_TABLE) return { ...genericKeying, key: (r) => `${String(r.source)}:${String(r.trade_id)}` };
  return genericKeying;
}

async function readTable(lake: Lake, name: string, timeColumn: string | null, since: number | null, signal?: AbortSignal): Promise<Record<string, unknown>[] | undefined> {
  if (!(await lake.exists(name))) return undefined;
  const filter: Predicate[] = since !== null && timeColumn ? [{ column: timeColumn, op: ">=", value: since }] : [];
  return lake.table(name).read({ filter, ...(signal ? { signal } : {}) });
}

async function gather(deps: AuditorDeps, since: number | null, log: Logger): Promise<AuditInput> {
  const bronze = await readTable(deps.lake, BRONZE_TABLE, "trade_time", since, deps.signal);
  log.info(bronze ? `read ${bronze.length} bronze trades` : "no bronze table yet", { table: BRONZE_TABLE });
  const silver = await readTable(deps.lake, SILVER_TABLE, "window_end", since, deps.signal);
  log.info(silver ? `read ${silver.length} silver bars` : "no silver table yet", { table: SILVER_TABLE });
  const ranges: { rule: (typeof deps.options.rangeRules)[number]; rows: Record<string, unknown>[]; keying: RangeRowKeying }[] = [];
  for (const rule of deps.options.rangeRules) {
    deps.signal?.throwIfAborted();
    // Other tables are custom ones whose schema may have grown: read them the way the custom reader does.
    const rows = rule.table === BRONZE_TABLE ? bronze : rule.table === SILVER_TABLE ? silver : (await deps.lake.exists(rule.table)) ? await readCustomTable(deps.lake.table(rule.table)) : undefined;
    if (!rows) log.warn(`range rule table ${rule.table} does not exist`, { table: rule.table });
    ranges.push({ rule, rows: rows ?? [], keying: keyingFor(rule.table) });
  }
  return { trades: bronze?.map(tradeFromLakeRow), bars: silver?.map(silverBarFromRow), ranges, subscribed: deps.subscribed() };
}

function logCheck(log: Logger, r: CheckResult, reportId: string): void {
  const fields = { reportId, check: r.name, table: r.table, checked: r.checked, failed: r.failed };
  const text = `check ${r.name} on ${r.table}: ${r.status} (${r.failed} of ${r.checked})`;
  if (r.status === "PASSED") log.info(text, fields);
  else if (r.status === "WARN") log.warn(text + (r.samples[0] ? ` — e.g. ${r.samples[0].detail}` : ""), fields);
  else log.error(text + (r.samples[0] ? ` — e.g. ${r.samples[0].detail}` : ""), fields);
}

/** The reconciliation's checks; a reconciliation that cannot run (no log yet) is logged and left out. */
async function reconcile(verify: NonNullable<AuditorDeps["verify"]>, since: number | null, sampleLimit: number, log: Logger, signal?: AbortSignal): Promise<CheckResult[]> {
  try {
    return reconcileChecks(await verify(since, signal), sampleLimit);
  } catch (err) {
    if (signal?.aborted) throw err; // cancelled, not skipped
    log.warn(`reconciliation skipped: ${(err as Error).message}`);
    return [];
  }
}

export async function runAudit(deps: AuditorDeps, req: AuditRequest): Promise<QualityRunReport> {
  const startedAt = deps.now();
  const reportId = req.reportId ?? newReportId(startedAt);
  const since = req.sinceMs === undefined ? startedAt - DEFAULT_LOOKBACK_MS : req.sinceMs;
  const log = deps.log;
  const base = { reportId, trigger: req.trigger, since, startedAt, rowsChecked: 0, rowsFailed: 0, quarantined: 0, checks: [] };
  log.info(`quality run ${reportId} started (${req.trigger}), auditing ${since === null ? "all rows" : `since ${new Date(since).toISOString()}`}`, { reportId });
  try {
    deps.signal?.throwIfAborted();
    if (deps.db) await saveQualityReport(deps.db, toDbReport({ ...base, status: "RUNNING", finishedAt: null }));
    const input = await gather(deps, since, log);
    const now = deps.now();
    const results = runChecks(input, deps.options, now);
    if (deps.verify) results.push(...(await reconcile(deps.verify, since, deps.options.sampleLimit, log, deps.signal)));
    deps.signal?.throwIfAborted(); // nothing quarantined or stored as a finished report after a cancel
    for (const r of results) logCheck(log, r, reportId);
    const violations = results.flatMap((r) => r.violations);
    const index = await loadQuarantineIndex(deps.lake);
    const entries = quarantineEntries(violations, index, reportId, now);
    if (entries.length > 0) {
      const version = await appendQuarantine(deps.lake, entries, reportId);
      log.warn(`quarantined ${entries.length} row(s) (quarantine version ${version})`, { reportId, rows: entries.length });
    }
    const quarantinedIds = new Set(violations.filter((v) => v.quarantine).map((v) => `${v.ref.table}|${v.ref.symbol}|${v.ref.key}`));
    const report: QualityRunReport = {
      ...base,
      finishedAt: deps.now(),
      status: overallStatus(results),
      // Distinct rows audited (not rows × checks): bronze + silver + the rows range rules read elsewhere.
      rowsChecked: (input.trades?.length ?? 0) + (input.bars?.length ?? 0) + results.filter((r) => r.check === "range" && r.table !== BRONZE_TABLE && r.table !== SILVER_TABLE).reduce((n, r) => n + r.checked, 0),
      rowsFailed: quarantinedIds.size,
      quarantined: entries.length,
      checks: results.map(summarize),
    };
    if (deps.db) await saveQualityReport(deps.db, toDbReport(report), toDbViolations(violations, results.flatMap((r) => r.samples), quarantinedIds));
    deps.publish?.(QUALITY_EVENT_SUBJECT, report);
    const line = `quality run ${reportId} ${report.status}: ${results.length} checks, ${report.rowsFailed} failing row(s), ${entries.length} newly quarantined`;
    if (report.status === "FAILED") log.error(line, { reportId });
    else if (report.status === "WARN") log.warn(line, { reportId });
    else log.info(line, { reportId });
    return report;
  } catch (err) {
    const cancelled = deps.signal?.aborted === true;
    const error = cancelled ? `cancelled: ${cancelReason(deps.signal!)}` : (err as Error).message;
    const report: QualityRunReport = { ...base, finishedAt: deps.now(), status: "ERROR", error };
    if (cancelled) log.warn(`quality run ${reportId} ${error}`, { reportId });
    else log.error(`quality run ${reportId} broke: ${error}`, { reportId });
    try {
      if (deps.db) await saveQualityReport(deps.db, toDbReport(report));
    } catch (saveErr) {
      log.error(`could not store the error report: ${(saveErr as Error).message}`, { reportId });
    }
    deps.publish?.(QUALITY_EVENT_SUBJECT, report);
    throw new QualityRunFailed(`quality run ${reportId} failed: ${error}`, report, { cause: err });
  }
}

function cancelReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : typeof reason === "string" ? reason : "aborted";
}
