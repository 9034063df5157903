/** Admin commands travel as NATS request/reply: `admin.<command>` reaches every node, `admin.node.<id>.<command>` one. */

export const ADMIN_PREFIX = "admin";
export const AUDIT_SUBJECT = "events.admin.audit";

export interface AdminRequest {
  command: string;
  args: string[];
  /** An admin token (configured, or the machine-local token file). */
  token?: string;
  /** Free-text identity of the caller, for the audit trail (e.g. user@host). */
  caller: string;
}

export type AdminReply =
  | { ok: true; nodeId: string; command: string; result: unknown }
  | { ok: false; nodeId: string; command: string; error: string; code: "unauthorized" | "unknown-command" | "bad-request" | "failed" };

export interface AuditRecord {
  at: string;
  nodeId: string;
  caller: string;
  command: string;
  args: string[];
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
