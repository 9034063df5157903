/**
 * Copies the admin audit trail from the log into PostgreSQL exactly once. Every node's
 * AdminService publishes an AuditRecord on `events.admin.audit` (kept by the EVENTS stream); a
 * durable pull consumer (shared by every node that runs the writer) delivers each to one writer,
 * which inserts it and acks after the commit. A redelivery (ack lost, writer killed after the
 * commit) is recognised by the record's stream sequence, stored in `args.streamSeq`, checked
 * under a transaction-scoped advisory lock: no loss, no duplicate.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Database } from "../db/database.js";
import { appendAudit, type AuditEntry, type AuditOutcome } from "../db/registry/operations.js";
import { AUDIT_SUBJECT, type AuditRecord } from "../admin/protocol.js";
import type { Logger } from "../node/log.js";
import { STREAMS } from "../runtime/nats/spec.js";

export const AUDIT_DURABLE = "control-audit";
const LOCK_KEY = 0x41_55_44_49; // "AUDI": one key for every writer of this schema

export class MalformedAuditRecord extends Error {
  override readonly name = "MalformedAuditRecord";
}

const OUTCOME: Record<AuditRecord["result"], AuditOutcome> = { ok: "succeeded", rejected: "refused", failed: "failed" };

/** Pure: the log's record → the database row (args keep the argv, the stream position and the signing key's id). */
export function auditEntryOf(record: AuditRecord, streamSeq: number): AuditEntry {
  if (typeof record !== "object" || record === null || typeof record.command !== "string" || typeof record.nodeId !== "string" || !(record.result in OUTCOME)) {
    throw new MalformedAuditRecord(`not an audit record: ${JSON.stringify(record)?.slice(0, 200)}`);
  }
  const at = new Date(record.at);
  if (Number.isNaN(at.getTime())) throw new MalformedAuditRecord(`audit record with a bad time "${record.at}"`);
  return {
    at,
    nodeId: record.nodeId,
    principal: principalOf(record),
    command: record.command,
    args: { argv: Array.isArray(record.args) ? record.args.map(String) : [], stream: STREAMS.events, streamSeq, ...(typeof record.keyId === "string" ? { keyId: record.keyId } : {}) },
    outcome: OUTCOME[record.result],
    ...(record.detail ? { detail: record.detail } : {}),
  };
}

/** Who acted: the person a web server authenticated, and the signer that acted for them. */
function principalOf(record: AuditRecord): string {
  const caller = String(record.caller ?? "unknown");
  return typeof record.onBehalfOf === "string" && record.onBehalfOf !== "" ? `${record.onBehalfOf} via ${caller}` : caller;
}

/** Inserts the entry unless this stream sequence is already stored. Returns false for a duplicate. */
export async function writeAuditOnce(db: Database, entry: AuditEntry & { args: { streamSeq: number } }): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    const { rows } = await tx.query<{ one: number }>(
      `SELECT 1 AS one FROM admin_audit WHERE at = $1 AND node_id = $2 AND args->>'stream' = $3 AND (args->>'streamSeq')::bigint = $4 LIMIT 1`,
      [entry.at, entry.nodeId, STREAMS.events, entry.args.streamSeq],
    );
    if (rows.length > 0) return false;
    await appendAudit(tx, entry);
    return true;
  });
}

export interface AuditWriterOptions {
  nc: NatsConnection;
  db: Database;
  log: Logger;
  durable?: string;
  /** How long a failed database write waits before the message comes back (ms). Default 2000. */
  retryDelayMs?: number;
}

export interface AuditWriterStats {
  written: number;
  duplicates: number;
  malformed: number;
  failures: number;
  lastError: string | null;
}

export interface AuditWriter extends AsyncDisposable {
  stats(): AuditWriterStats;
  stop(): Promise<void>;
}

export async function startAuditWriter(o: AuditWriterOptions): Promise<AuditWriter> {
  const durable = o.durable ?? AUDIT_DURABLE;
  const jsm = await jetstreamManager(o.nc);
  try {
    await jsm.consumers.info(STREAMS.events, durable);
  } catch {
    await jsm.consumers.add(STREAMS.events, { durable_name: durable, filter_subject: AUDIT_SUBJECT, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 30_000_000_000, max_ack_pending: 1000 });
  }
  const consumer = await jetstream(o.nc).consumers.get(STREAMS.events, durable);
  const stats: AuditWriterStats = { written: 0, duplicates: 0, malformed: 0, failures: 0, lastError: null };
  const decoder = new TextDecoder();
  let stopping = false;
  const messages = await consumer.consume({ max_messages: 100 });

  async function handle(m: JsMsg): Promise<void> {
    let entry: ReturnType<typeof auditEntryOf>;
    try {
      entry = auditEntryOf(JSON.parse(decoder.decode(m.data)) as AuditRecord, m.seq);
    } catch (err) {
      stats.malformed++;
      o.log.warn(`audit record at EVENTS seq ${m.seq} dropped: ${(err as Error).message}`);
      m.term();
      return;
    }
    try {
      if (await writeAuditOnce(o.db, entry as AuditEntry & { args: { streamSeq: number } })) stats.written++;
      else stats.duplicates++;
      m.ack();
    } catch (err) {
      stats.failures++;
      stats.lastError = (err as Error).message;
      o.log.warn(`audit record at EVENTS seq ${m.seq} not stored yet: ${(err as Error).message}`);
      m.nak(o.retryDelayMs ?? 2_000);
    }
  }

  const loop = (async () => {
    for await (const m of messages) {
      await handle(m);
      if (stopping) break;
    }
  })().catch((err: unknown) => {
    if (!stopping) o.log.error(`audit writer stopped: ${(err as Error).message}`);
  });

  const stop = async () => {
    stopping = true;
    await messages.close();
    await loop;
  };
  return { stats: () => ({ ...stats }), stop, [Symbol.asyncDispose]: stop };
}
