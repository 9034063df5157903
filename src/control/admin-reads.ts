/**
 * Which log-browser reads need admin power. A read token is for dashboard viewers; through the
 * log browser it would otherwise show the audit trail (callers' addresses, key ids), the
 * runtime's KV buckets (leases, members, champions, snapshots) and the raw records that were
 * dead-lettered (another company's rejected data). Those need an admin session or
 * `x-admin-token` (the gate of the Control page's commands); streams' names and counts, other
 * streams' subjects and messages, and the dead letters' reasons stay readable. Pure.
 */
import { LEGACY_AUDIT_SUBJECT } from "../admin/protocol.js";
import { STREAMS } from "../runtime/nats/spec.js";

/** What a stream holds that only admins may read, or null when its messages are for every reader. */
export function adminOnlyStream(stream: string): string | null {
  if (stream === STREAMS.audit) return "the audit trail";
  if (stream.startsWith("KV_")) return "the runtime's key-value buckets";
  if (stream === STREAMS.dlq) return "dead-letter payloads";
  return null;
}

/**
 * What reading `subject` (a filter, wildcards allowed) of `stream` would show that only admins
 * may read, or null. EVENTS still holds audit records published before the AUDIT stream existed.
 */
export function adminOnlyMessages(stream: string, subject: string): string | null {
  const streamReason = adminOnlyStream(stream);
  if (streamReason !== null) return streamReason;
  if (stream === STREAMS.events && filterMatches(subject, LEGACY_AUDIT_SUBJECT)) return "the audit trail";
  return null;
}

/** Whether a NATS subject filter (`*` one token, `>` one or more trailing tokens) matches a literal subject. */
export function filterMatches(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return i === f.length - 1 && s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== "*" && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}
