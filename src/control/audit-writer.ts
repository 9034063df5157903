/**
 * Copies the admin audit trail from the log into PostgreSQL exactly once. Every node's
 * AdminService (and the web server) publishes an AuditRecord on `audit.admin.<result>`, kept by
 * the AUDIT stream, where no flood of log lines can push it out before it is stored; a
 * durable pull consumer (shared by every node that runs the writer) delivers each to one writer,
 * which stores it (audit-store.ts) and acks after the commit. A redelivery (ack lost, writer
 * killed after the commit) is recognised by the record's stream sequence: no loss, no duplicate.
 * Refused attempts are counted in summary rows with their text clipped (src/admin/audit-bounds.ts), and
 * only they are subject to retention and a row cap.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Database } from "../db/database.js";
import type { AuditOutcome } from "../db/registry/operations.js";
import { AUDIT_SUBJECTS, type AuditRecord } from "../admin/protocol.js";
import type { Logger } from "../runtime/log.js";
import { STREAMS } from "../runtime/nats/spec.js";
import { ACCEPTED_TEXT, clip, clipArgs, DEFAULT_AUDIT_LIMITS, REFUSAL_TEXT, validateAuditLimits, type AuditLimits } from "../admin/audit-bounds.js";
import { forgetCountedThrough, writeAuditOnce, type StreamAuditEntry } from "./audit-store.js";

export { writeAuditOnce } from "./audit-store.js";

export const AUDIT_DURABLE = "control-audit";

export class MalformedAuditRecord extends Error {
  override readonly name = "MalformedAuditRecord";
}

const OUTCOME: Record<AuditRecord["result"], AuditOutcome> = { ok: "succeeded", rejected: "refused", failed: "failed" };

/**
 * Pure: the log's record → the database entry, its text bounded (tightly for a refusal, whose
 * text is the caller's; generously for a command that ran). args keep the argv, how many there
 * were, who signed (keyId) and for whom, and the stream position.
 */
export function auditEntryOf(record: AuditRecord, streamSeq: number, stream: string = STREAMS.audit): StreamAuditEntry {
  if (typeof record !== "object" || record === null || typeof record.command !== "string" || typeof record.nodeId !== "string" || !(record.result in OUTCOME)) {
    throw new MalformedAuditRecord(`not an audit record: ${JSON.stringify(record)?.slice(0, 200)}`);
  }
  const at = new Date(record.at);
  if (Number.isNaN(at.getTime())) throw new MalformedAuditRecord(`audit record with a bad time "${clip(String(record.at), 40)}"`);
  const outcome = OUTCOME[record.result];
  const bounds = outcome === "refused" ? REFUSAL_TEXT : ACCEPTED_TEXT;
  const { argv, argc: given } = clipArgs(Array.isArray(record.args) ? record.args : [], bounds);
  const argc = Math.max(given, Number.isSafeInteger(record.argc) ? record.argc! : 0); // a publisher may have clipped them already
  return {
    at,
    nodeId: clip(record.nodeId, bounds.node),
    principal: clip(String(record.caller ?? "unknown"), bounds.caller),
    command: clip(record.command, bounds.command),
    args: {
      argv,
      ...(argc > argv.length ? { argc } : {}),
      ...(record.keyId ? { keyId: clip(String(record.keyId), bounds.keyId) } : {}),
      ...(record.onBehalfOf ? { onBehalfOf: clip(String(record.onBehalfOf), bounds.onBehalfOf) } : {}),
      stream,
      streamSeq,
    },
    outcome,
    ...(record.detail ? { detail: clip(String(record.detail), bounds.detail) } : {}),
  };
}

export interface AuditWriterOptions {
  nc: NatsConnection;
  db: Database;
  log: Logger;
  durable?: string;
  /** How long a failed database write waits before the message comes back (ms). Default 2000. */
  retryDelayMs?: number;
  /** Bounds on refused attempts (see DEFAULT_AUDIT_LIMITS). */
  limits?: Partial<AuditLimits>;
  /** Clock for retention (ms). Default Date.now. */
  now?: () => number;
  /** Refusals counted between two cleanups of the sequences the consumer acknowledged past. Default 500. */
  forgetEvery?: number;
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
  const write = { limits: validateAuditLimits({ ...DEFAULT_AUDIT_LIMITS, ...o.limits }), now: o.now ?? Date.now };
  const jsm = await jetstreamManager(o.nc);
  try {
    await jsm.consumers.info(STREAMS.audit, durable);
  } catch {
    await jsm.consumers.add(STREAMS.audit, { durable_name: durable, filter_subject: AUDIT_SUBJECTS, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 30_000_000_000, max_ack_pending: 1000 });
  }
  // A deployment from before the AUDIT stream has this durable on EVENTS: keep draining it, so
  // records still held there (or published by nodes not yet upgraded) are stored too.
  const legacy = await jsm.consumers.info(STREAMS.events, durable).then(() => true, () => false);
  const stats: AuditWriterStats = { written: 0, duplicates: 0, malformed: 0, failures: 0, lastError: null };
  const decoder = new TextDecoder();
  let stopping = false;

  async function drain(stream: string): Promise<{ close(): Promise<void> }> {
    const messages = await (await jetstream(o.nc).consumers.get(stream, durable)).consume({ max_messages: 100 });
    let refusalsSinceForget = 0;
    /** Sequences at or below the ack floor are never delivered again: their dedupe rows can go. */
    async function forgetAcknowledged(): Promise<void> {
      refusalsSinceForget = 0;
      const info = await jsm.consumers.info(stream, durable);
      await forgetCountedThrough(o.db, stream, info.ack_floor.stream_seq);
    }

    async function handle(m: JsMsg): Promise<void> {
      let entry: StreamAuditEntry;
      try {
        entry = auditEntryOf(JSON.parse(decoder.decode(m.data)) as AuditRecord, m.seq, stream);
      } catch (err) {
        stats.malformed++;
        o.log.warn(`audit record at ${stream} seq ${m.seq} dropped: ${(err as Error).message}`);
        m.term();
        return;
      }
      try {
        if (await writeAuditOnce(o.db, entry, write)) stats.written++;
        else stats.duplicates++;
        m.ack();
      } catch (err) {
        stats.failures++;
        stats.lastError = (err as Error).message;
        o.log.warn(`audit record at ${stream} seq ${m.seq} not stored yet: ${(err as Error).message}`);
        m.nak(o.retryDelayMs ?? 2_000);
        return;
      }
      if (entry.outcome === "refused" && ++refusalsSinceForget >= (o.forgetEvery ?? 500)) {
        await forgetAcknowledged().catch((err: unknown) => o.log.warn(`audit writer: counted refusals not forgotten yet: ${(err as Error).message}`));
      }
    }

    const loop = (async () => {
      for await (const m of messages) {
        await handle(m);
        if (stopping) break;
      }
    })().catch((err: unknown) => {
      if (!stopping) o.log.error(`audit writer (${stream}) stopped: ${(err as Error).message}`);
    });
    return {
      close: async () => {
        await messages.close();
        await loop;
      },
    };
  }

  const drains = [await drain(STREAMS.audit), ...(legacy ? [await drain(STREAMS.events)] : [])];
  const stop = async () => {
    stopping = true;
    await Promise.all(drains.map((d) => d.close()));
  };
  return { stats: () => ({ ...stats }), stop, [Symbol.asyncDispose]: stop };
}
