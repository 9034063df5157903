/**
 * The gateway's runtime API keys: created and revoked from the Connections page, stored in
 * PostgreSQL as a SHA-256 of the key (the key itself is shown once, at creation). A key reads
 * `thk_<key id>_<secret>`: the id finds the stored hash, compared in constant time.
 *
 * The active keys are cached in memory, so a request costs no query:
 *   - a key revoked on this node is dropped from the cache at once: its next request gets 401;
 *   - every node reloads the active keys every `refreshMs` (default 5 s), so a revocation made on
 *     another node takes effect within that bound; a key id the cache does not know reloads at
 *     most once per `missRefreshMs` (default 1 s), so a key created on another node works at once;
 *   - usage (last use, requests, records) is counted in memory and written in one statement
 *     every `flushMs` (default 5 s) and on close.
 * When a reload fails (database away) the last loaded keys stay in force and `lastError` says why.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database } from "../../../db/database.js";
import { addApiKeyUsage, insertApiKey, listApiKeys, revokeApiKey, type StoredApiKey } from "../../../db/registry/api-keys.js";
import { KeyUsage } from "./key-usage.js";

const KEY_FORMAT = /^thk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** A fresh key: 6 random bytes of id, 32 of secret. */
export function newApiKey(): { keyId: string; key: string; keyHash: string } {
  const keyId = randomBytes(6).toString("hex");
  const key = `thk_${keyId}_${randomBytes(32).toString("base64url")}`;
  return { keyId, key, keyHash: hashApiKey(key) };
}

/** The key id of a key in the runtime format, else undefined. */
export function runtimeKeyId(presented: string): string | undefined {
  return KEY_FORMAT.exec(presented)?.[1];
}

export type StoredAuthorization = { kind: "ok"; keyId: string } | { kind: "unknown-key" } | { kind: "wrong-source"; allowed: string[]; keyId: string };

export interface ApiKeyStoreOptions {
  /** Reload of the active keys (bounds how long a revocation on another node takes). Default 5000 ms. */
  refreshMs?: number;
  /** At most one reload per this interval for key ids the cache does not know. Default 1000 ms. */
  missRefreshMs?: number;
  /** Usage writes. Default 5000 ms. */
  flushMs?: number;
  now?: () => number;
}

export interface ApiKeyView {
  keyId: string;
  label: string;
  source: string;
  createdAt: number;
  createdBy: string;
  revokedAt: number | null;
  revokedBy: string | null;
  lastUsedAt: number | null;
  requests: number;
  records: number;
  /** Requests in the last minute on this node. */
  perMinute: number;
}

export class ApiKeyStore implements AsyncDisposable {
  readonly usage = new KeyUsage();
  #active = new Map<string, { source: string; hash: Buffer }>();
  #lastMissRefresh = 0;
  #loading: Promise<void> | undefined;
  #timers: NodeJS.Timeout[] = [];
  #lastError: string | null = null;
  readonly #now: () => number;
  readonly #missRefreshMs: number;

  private constructor(readonly db: Database, options: ApiKeyStoreOptions) {
    this.#now = options.now ?? Date.now;
    this.#missRefreshMs = options.missRefreshMs ?? 1000;
  }

  static async open(db: Database, options: ApiKeyStoreOptions = {}): Promise<ApiKeyStore> {
    const store = new ApiKeyStore(db, options);
    await store.refresh();
    store.#timers.push(setInterval(() => void store.refresh().catch(() => undefined), options.refreshMs ?? 5000).unref());
    store.#timers.push(setInterval(() => void store.flush().catch(() => undefined), options.flushMs ?? 5000).unref());
    return store;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  /** Reloads the active keys (one load at a time; callers during a load share it). */
  refresh(): Promise<void> {
    this.#loading ??= listApiKeys(this.db, { activeOnly: true })
      .then(
        (keys) => {
          this.#active = new Map(keys.map((k) => [k.keyId, { source: k.source, hash: Buffer.from(k.keyHash, "hex") }]));
          this.#lastError = null;
        },
        (err: unknown) => {
          this.#lastError = `reloading API keys: ${(err as Error).message}`;
          throw err;
        },
      )
      .finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async authorize(presented: string, source: string): Promise<StoredAuthorization> {
    const keyId = runtimeKeyId(presented);
    if (keyId === undefined) return { kind: "unknown-key" };
    let key = this.#active.get(keyId);
    if (key === undefined && this.#now() - this.#lastMissRefresh >= this.#missRefreshMs) {
      this.#lastMissRefresh = this.#now();
      await this.refresh().catch(() => undefined);
      key = this.#active.get(keyId);
    }
    if (key === undefined || !timingSafeEqual(Buffer.from(hashApiKey(presented), "hex"), key.hash)) return { kind: "unknown-key" };
    return key.source === "*" || key.source === source ? { kind: "ok", keyId } : { kind: "wrong-source", allowed: [key.source], keyId };
  }

  /** A new key for `source` ("*": any); the key is in the answer and nowhere else. */
  async create(input: { source: string; label: string; createdBy: string }): Promise<{ key: string; view: ApiKeyView }> {
    const fresh = newApiKey();
    const row = await insertApiKey(this.db, { keyId: fresh.keyId, keyHash: fresh.keyHash, source: input.source, label: input.label, createdBy: input.createdBy });
    await this.#settled();
    this.#active.set(fresh.keyId, { source: row.source, hash: Buffer.from(row.keyHash, "hex") });
    return { key: fresh.key, view: this.#view(row) };
  }

  /** Revokes a key; on this node its next request is refused. False when no such active key. */
  async revoke(keyId: string, revokedBy: string): Promise<boolean> {
    const done = await revokeApiKey(this.db, keyId, revokedBy);
    await this.#settled();
    this.#active.delete(keyId);
    return done;
  }

  /** Every key with its usage: the database's plus what this node has not written yet. */
  async list(): Promise<ApiKeyView[]> {
    return (await listApiKeys(this.db)).map((row) => this.#view(row));
  }

  /** Writes the usage counted since the last flush; on failure it is kept for the next one. */
  async flush(): Promise<void> {
    const pending = this.usage.takePending();
    try {
      await addApiKeyUsage(this.db, pending.map((u) => ({ keyId: u.keyId, lastUsedAt: new Date(u.lastUsedAt), requests: u.requests, records: u.records })));
    } catch (err) {
      this.usage.restorePending(pending);
      this.#lastError = `writing API key usage: ${(err as Error).message}`;
      throw err;
    }
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#settled();
    await this.flush().catch(() => undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Waits out a reload in flight: its read may predate a write just made, and would otherwise
   * replace the cache after the write's own update of it. A reload that starts later reads the write.
   */
  async #settled(): Promise<void> {
    await this.#loading?.catch(() => undefined);
  }

  #view(row: StoredApiKey): ApiKeyView {
    const local = this.usage.snapshot(row.keyId, this.#now());
    const unwritten = this.usage.pendingOf(row.keyId);
    const lastUsed = Math.max(row.lastUsedAt ? new Date(row.lastUsedAt).getTime() : 0, unwritten?.lastUsedAt ?? 0);
    return {
      keyId: row.keyId,
      label: row.label,
      source: row.source,
      createdAt: new Date(row.createdAt).getTime(),
      createdBy: row.createdBy,
      revokedAt: row.revokedAt ? new Date(row.revokedAt).getTime() : null,
      revokedBy: row.revokedBy,
      lastUsedAt: lastUsed > 0 ? lastUsed : null,
      requests: Number(row.requests) + (unwritten?.requests ?? 0),
      records: Number(row.records) + (unwritten?.records ?? 0),
      perMinute: local?.perMinute ?? 0,
    };
  }
}
