/**
 * The admin_audit table's writes, exactly once per stream sequence (AUDIT, or EVENTS for records
 * published before the AUDIT stream existed). A command that ran
 * (outcome succeeded / failed) gets a row of its own. A refused attempt is counted in its bucket's
 * summary row (see src/admin/audit-bounds.ts); only refused rows are ever deleted — by age and by a row cap —
 * so refusals cannot push out the record of commands that ran. Every write holds one
 * transaction-scoped advisory lock, so several writers sharing the durable never race.
 */
import type { Database, Queryable } from "../db/database.js";
import { appendAudit, type AuditEntry } from "../db/registry/operations.js";
import { bucketStart, DEFAULT_AUDIT_LIMITS, OVERFLOW_IDENTITY, refusalKey, type AuditLimits, type RefusalIdentity } from "../admin/audit-bounds.js";

const LOCK_KEY = 0x41_55_44_49; // "AUDI": one key for every writer of this schema

/** An audit entry as auditEntryOf builds it: the stream position travels in args. */
export type StreamAuditEntry = AuditEntry & { at: Date; args: { streamSeq: number; stream: string; keyId?: string; [k: string]: unknown } };

export interface AuditWriteOptions {
  limits?: AuditLimits;
  /** The writer's clock: retention is measured from it, and a refusal dated later is counted now. */
  now?: () => number;
}

/** Stores the entry unless its stream sequence is already stored. Returns false for a duplicate. */
export async function writeAuditOnce(db: Database, entry: StreamAuditEntry, options: AuditWriteOptions = {}): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    if (entry.outcome === "refused") return countRefusal(tx, entry, options.limits ?? DEFAULT_AUDIT_LIMITS, new Date((options.now ?? Date.now)()));
    const { rows } = await tx.query<{ one: number }>(
      `SELECT 1 AS one FROM admin_audit WHERE at = $1 AND node_id = $2 AND args->>'stream' = $3 AND (args->>'streamSeq')::bigint = $4 LIMIT 1`,
      [entry.at, entry.nodeId, entry.args.stream, entry.args.streamSeq],
    );
    if (rows.length > 0) return false;
    await appendAudit(tx, entry);
    return true;
  });
}

async function countRefusal(tx: Queryable, entry: StreamAuditEntry, limits: AuditLimits, now: Date): Promise<boolean> {
  const fresh = await tx.query("INSERT INTO admin_audit_refusal_seqs (stream, seq) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING seq", [entry.args.stream, entry.args.streamSeq]);
  if (fresh.rows.length === 0) return false;
  const at = entry.at.getTime() > now.getTime() ? now : entry.at;
  const bucket = bucketStart(at, limits.refusalBucketMs);
  const identity: RefusalIdentity = { nodeId: entry.nodeId, principal: entry.principal, keyId: entry.args.keyId ?? "", command: entry.command };
  if (await bump(tx, bucket, identity, at)) return true;
  const { rows } = await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM admin_audit WHERE bucket = $1", [bucket]);
  if (rows[0]!.n >= limits.refusalKeysPerBucket) {
    if (await bump(tx, bucket, OVERFLOW_IDENTITY, at)) return true;
    await insertSummary(tx, bucket, OVERFLOW_IDENTITY, at, { stream: entry.args.stream, streamSeq: entry.args.streamSeq }, `attempts beyond ${limits.refusalKeysPerBucket} distinct callers and commands in this hour`);
  } else {
    await insertSummary(tx, bucket, identity, at, entry.args, entry.detail);
  }
  await pruneRefusals(tx, limits, now);
  return true;
}

async function bump(tx: Queryable, bucket: Date, identity: RefusalIdentity, at: Date): Promise<boolean> {
  const { rows } = await tx.query(
    "UPDATE admin_audit SET attempts = attempts + 1, last_at = greatest(last_at, $3), at = least(at, $3) WHERE bucket = $1 AND refusal_key = $2 RETURNING id",
    [bucket, refusalKey(identity), at],
  );
  return rows.length > 0;
}

async function insertSummary(tx: Queryable, bucket: Date, identity: RefusalIdentity, at: Date, args: { stream: string; [k: string]: unknown }, detail: string | undefined): Promise<void> {
  await tx.query(
    `INSERT INTO admin_audit (at, last_at, node_id, principal, command, args, outcome, detail, attempts, bucket, refusal_key)
     VALUES ($1, $1, $2, $3, $4, $5::jsonb, 'refused', $6, 1, $7, $8)`,
    [at, identity.nodeId, identity.principal, identity.command, JSON.stringify({ ...args, summary: true }), detail ?? null, bucket, refusalKey(identity)],
  );
}

/** Deletes refused rows past the retention, then the oldest beyond the row cap. Never touches other outcomes. */
export async function pruneRefusals(db: Queryable, limits: AuditLimits, now: Date): Promise<number> {
  const old = await db.query("DELETE FROM admin_audit WHERE outcome = 'refused' AND at < $1 RETURNING id", [new Date(now.getTime() - limits.refusalRetentionMs)]);
  const over = await db.query(
    `DELETE FROM admin_audit WHERE id IN (SELECT id FROM admin_audit WHERE outcome = 'refused' ORDER BY at DESC, id DESC OFFSET $1) RETURNING id`,
    [limits.maxRefusalRows],
  );
  return old.rows.length + over.rows.length;
}

/** Forgets counted sequences of `stream` the consumer has acknowledged past: they are never delivered again. */
export async function forgetCountedThrough(db: Queryable, stream: string, ackFloor: number): Promise<number> {
  const { rows } = await db.query("DELETE FROM admin_audit_refusal_seqs WHERE stream = $1 AND seq <= $2 RETURNING seq", [stream, ackFloor]);
  return rows.length;
}
