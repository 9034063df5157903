/** Durable records for the MLOps, quality and control-plane pages. */
export { startRun, finishRun, failRun, recordRunDecision, listRuns, runImportances, type NewRun, type RunResult, type RunSummary } from "./runs.js";
export { registerModelVersion, recordPromotion, currentChampions, championHistory, listModelVersions, type NewModelVersion, type ModelVersion, type Champion, type ChampionAction } from "./models.js";
export {
  saveQualityReport,
  listQualityReports,
  qualityViolations,
  appendAudit,
  listAudit,
  type QualityReport,
  type QualityStatus,
  type QualityViolation,
  type AuditEntry,
  type AuditOutcome,
  type AuditRecord,
} from "./operations.js";
export { insertApiKey, listApiKeys, revokeApiKey, addApiKeyUsage, type StoredApiKey, type ApiKeyUsage } from "./api-keys.js";
