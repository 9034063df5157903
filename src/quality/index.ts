/** Public surface of the quality gate. */
export type { CheckName, CheckStatus, ReportStatus, CheckResult, CheckSummary, QualityRunReport, Violation, RowRef } from "./types.js";
export { DEFAULT_QUALITY_OPTIONS, parseRangeRules, loadRangeRules, QualityRulesInvalid, type QualityOptions, type RangeRule } from "./options.js";
export { runChecks, overallStatus, keyTrades, barKey, contentKey, type AuditInput } from "./checks/index.js";
export { runAudit, newReportId, QualityRunFailed, QUALITY_EVENT_SUBJECT, DEFAULT_LOOKBACK_MS, type AuditorDeps, type AuditRequest } from "./auditor.js";
export { parseQualityArgs, parseSince } from "./admin-args.js";
export {
  QUARANTINE_TABLE,
  quarantineDefinition,
  QuarantineIndex,
  loadQuarantineIndex,
  readQuarantine,
  appendQuarantine,
  quarantineEntries,
  excludingQuarantined,
  type BarSource,
  type QuarantineEntry,
} from "./quarantine.js";
export { notQuarantinedSql, quarantinedWindowEnds, storedRule } from "./db-records.js";
