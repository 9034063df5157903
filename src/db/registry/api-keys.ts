/** The ingestion gateway's runtime API keys (migration 0010): only a hash of each key is stored. */
import type { Queryable } from "../database.js";

export interface StoredApiKey {
  keyId: string;
  label: string;
  /** A source name, or "*" for any source. */
  source: string;
  /** Hex SHA-256 of the whole key. */
  keyHash: string;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastUsedAt: Date | null;
  requests: number;
  records: number;
}

export interface ApiKeyUsage {
  keyId: string;
  lastUsedAt: Date;
  requests: number;
  records: number;
}

const COLUMNS = `key_id AS "keyId", label, source, key_hash AS "keyHash", created_at AS "createdAt", created_by AS "createdBy", revoked_at AS "revokedAt",
  revoked_by AS "revokedBy", last_used_at AS "lastUsedAt", requests, records`;

export async function insertApiKey(db: Queryable, key: { keyId: string; label: string; source: string; keyHash: string; createdBy: string }): Promise<StoredApiKey> {
  const { rows } = await db.query<StoredApiKey>(
    `INSERT INTO ingest_api_keys (key_id, label, source, key_hash, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
    [key.keyId, key.label, key.source, key.keyHash, key.createdBy],
  );
  return rows[0]!;
}

/** Every key, newest first; revoked ones too unless `activeOnly`. */
export async function listApiKeys(db: Queryable, options: { activeOnly?: boolean } = {}): Promise<StoredApiKey[]> {
  const where = options.activeOnly ? "WHERE revoked_at IS NULL" : "";
  return (await db.query<StoredApiKey>(`SELECT ${COLUMNS} FROM ingest_api_keys ${where} ORDER BY created_at DESC, key_id`)).rows;
}

/** Revokes a key; false when there is no such active key. */
export async function revokeApiKey(db: Queryable, keyId: string, by: string): Promise<boolean> {
  const { rowCount } = await db.query(`UPDATE ingest_api_keys SET revoked_at = now(), revoked_by = $2 WHERE key_id = $1 AND revoked_at IS NULL`, [keyId, by]);
  return rowCount > 0;
}

/** Adds the usage counted since the last flush, in one statement for all keys. */
export async function addApiKeyUsage(db: Queryable, usage: readonly ApiKeyUsage[]): Promise<void> {
  if (usage.length === 0) return;
  await db.query(
    `UPDATE ingest_api_keys k SET requests = k.requests + u.requests, records = k.records + u.records, last_used_at = greatest(k.last_used_at, u.last_used_at)
     FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::bigint[]) AS u(key_id, last_used_at, requests, records)
     WHERE k.key_id = u.key_id`,
    [usage.map((u) => u.keyId), usage.map((u) => u.lastUsedAt), usage.map((u) => u.requests), usage.map((u) => u.records)],
  );
}
