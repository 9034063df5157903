/** Public surface of the control plane (node side and the web server's services). */
export { LogForwarder, natsLogSink, forwardableRecord, LOCAL_ONLY_FIELD, logSubject, decodeLogRecord, matchesLogFilter, LOG_SUBJECT_ALL, LOG_SUBJECT_PREFIX, type LogFilter, type LogForwarderOptions, type LogSink } from "./log-forward.js";
export { LogTail, type LogEntry } from "./log-tail.js";
export { startAuditWriter, writeAuditOnce, auditEntryOf, MalformedAuditRecord, AUDIT_DURABLE, type AuditWriter, type AuditWriterOptions, type AuditWriterStats } from "./audit-writer.js";
export { pruneRefusals, forgetCountedThrough, type StreamAuditEntry, type AuditWriteOptions } from "./audit-store.js";
export { DEFAULT_AUDIT_LIMITS, REFUSAL_TEXT, ACCEPTED_TEXT, clip, bucketStart, refusalKey, type AuditLimits } from "../admin/audit-bounds.js";
export { listStreams, listConsumers, streamSubjects, subjectMessages, deadLetters, dlqReason, BROWSER_MAX_SCAN, type StreamView, type ConsumerView, type DlqEntry } from "./log-browser.js";
export { lastMessages, READ_CONSUMER_PREFIX, type StoredMessage, type LastMessagesOptions } from "./last-messages.js";
export { ReadGate, readGateFor, StreamReadsBusy, type ReadGateOptions } from "./read-gate.js";
export { listTables, summarizeTable, schemaHistory, latestRows, jsonSafe, type TableSummary, type SchemaVersion } from "./data-catalog.js";
export { ControlAuth, requestInfo, isLoopback, tokenFingerprint, type RequestInfo, type AuthDecision } from "./web-auth.js";
export { discoverCommands, commandsFromReply, PROBE_COMMAND, type NodeCommands } from "./commands.js";
export { startControlServices, type ControlServices, type ControlServicesOptions } from "./web-services.js";
export { registerControlServices, controlServicesFor } from "./web-services.js";
