/**
 * Publishing an audit record. A refused record's text is whatever the caller sent (up to 25 KB
 * through the web), so it is clipped here, before it reaches the log, with the same bounds the
 * audit writer applies when it stores it; a record of a command that ran goes out whole.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { clip, clipArgs, REFUSAL_TEXT } from "../control/audit-bounds.js";
import { auditSubject, type AuditRecord } from "./protocol.js";

/** Pure: the record as it may travel; a refusal's caller-controlled fields cut to REFUSAL_TEXT. */
export function boundedAuditRecord(record: AuditRecord): AuditRecord {
  if (record.result !== "rejected") return record;
  const { argv, argc } = clipArgs(Array.isArray(record.args) ? record.args : [], REFUSAL_TEXT);
  const total = Math.max(argc, record.argc ?? 0);
  const b = REFUSAL_TEXT;
  return {
    at: record.at,
    nodeId: clip(record.nodeId, b.node),
    caller: clip(String(record.caller), b.caller),
    ...(record.onBehalfOf !== undefined ? { onBehalfOf: clip(String(record.onBehalfOf), b.onBehalfOf) } : {}),
    ...(record.keyId !== undefined ? { keyId: clip(String(record.keyId), b.keyId) } : {}),
    command: clip(record.command, b.command),
    args: argv,
    ...(total > argv.length ? { argc: total } : {}),
    result: record.result,
    ...(record.detail !== undefined ? { detail: clip(String(record.detail), b.detail) } : {}),
  };
}

const encoder = new TextEncoder();

/** Core publish on audit.admin.<result> (the AUDIT stream keeps it until the audit writer stores it). */
export function publishAudit(nc: Pick<NatsConnection, "publish">, record: AuditRecord): void {
  nc.publish(auditSubject(record.result), encoder.encode(JSON.stringify(boundedAuditRecord(record))));
}
