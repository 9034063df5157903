/** Admin commands travel as NATS request/reply: `admin.<command>` reaches every node, `admin.node.<id>.<command>` one. */
import type { SignedFields } from "./signing.js";
import { auditSubject as auditSubjectOf, eventSubject } from "../runtime/nats/spec.js";

export const ADMIN_PREFIX = "admin";
/**
 * Audit records go to the AUDIT stream, one subject per result, so that its per-subject cap lets
 * refusals push out only older refusals, and no log flood in EVENTS can push out any of them.
 */
export const AUDIT_SUBJECTS = auditSubjectOf(">");
export function auditSubject(result: AuditRecord["result"]): string {
  return auditSubjectOf(result);
}
/** Where nodes published audit records before the AUDIT stream (into EVENTS); the writer still drains an old durable there. */
export const LEGACY_AUDIT_SUBJECT = eventSubject("admin", "audit");

/**
 * A request on the wire: signed with a key derived from an admin token (configured, or the
 * machine-local token file), never the token itself. `caller` is free text for the audit trail
 * (e.g. user@host); `onBehalfOf` names whom a web server authenticated. See signing.ts.
 */
export type AdminRequest = SignedFields;

/** What a command handler learns about an accepted request. */
export interface AdminInvocation {
  command: string;
  args: string[];
  caller: string;
  onBehalfOf?: string | undefined;
  keyId?: string | undefined;
}

export type AdminReply =
  | { ok: true; nodeId: string; command: string; result: unknown }
  | { ok: false; nodeId: string; command: string; error: string; code: "unauthorized" | "unknown-command" | "bad-request" | "failed" };

export interface AuditRecord {
  at: string;
  nodeId: string;
  caller: string;
  /** Whom the caller acted for (the person a web server authenticated). */
  onBehalfOf?: string;
  /** Id of the key that signed the request (never the token). */
  keyId?: string;
  command: string;
  args: string[];
  /** How many arguments there were, when a refusal's publisher kept only the first few. */
  argc?: number;
  result: "ok" | "rejected" | "failed";
  detail?: string;
}

export function broadcastSubject(command: string): string {
  return `${ADMIN_PREFIX}.${command}`;
}

export function nodeSubject(nodeId: string, command: string): string {
  return `${ADMIN_PREFIX}.node.${nodeId}.${command}`;
}

/** Node ids and commands become subject tokens: keep them to safe characters. */
export function isSubjectToken(text: string): boolean {
  return /^[A-Za-z0-9_-]+$/.test(text);
}
