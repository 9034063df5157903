import type { KV } from "@nats-io/kv";

/** What an entity leaves behind: its state and the last log sequence folded into it. */
export interface StoredSnapshot {
  state: unknown;
  lastSeq: number;
  /** Region senders whose messages are folded into `state`: sender → highest seq. */
  senders?: Record<string, number>;
}

/** An entity that can be snapshotted; the region restores it before it sees any message. */
export interface SnapshottingEntity {
  snapshot(): unknown;
  restore(state: unknown): void;
  /**
   * Whether a command (log input always counts) may change what `snapshot()` returns; default
   * true. A read-only or live-only command (a status query, a periodic tick) answers false, so an
   * idle entity is not snapshotted again every `everyMs` for messages that changed nothing.
   */
  changesState?(command: unknown): boolean;
}

export function isSnapshotting(entity: object): entity is SnapshottingEntity {
  const candidate = entity as Partial<SnapshottingEntity>;
  return typeof candidate.snapshot === "function" && typeof candidate.restore === "function";
}

export class SnapshotStoreFailed extends Error {
  readonly retryable = true;
  constructor(op: "load" | "save", key: string, options?: ErrorOptions) {
    super(`snapshot ${op} of ${key} failed`, options);
    this.name = "SnapshotStoreFailed";
  }
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * KV keys allow only [-/_=.a-zA-Z0-9]; entity keys are anything. Plain keys stay readable, the
 * rest become "=" + base64url (a plain key never contains "=", so the two never collide).
 */
export function snapshotKey(region: string, entityKey: string): string {
  const k = PLAIN_KEY.test(entityKey) ? entityKey : `=${Buffer.from(entityKey, "utf8").toString("base64url")}`;
  return `${region}.${k}`;
}

/** Snapshots of one region's entities in a KV bucket, key `<region>.<entity key>`. */
export interface SnapshotStore {
  load(entityKey: string): Promise<StoredSnapshot | undefined>;
  save(entityKey: string, snapshot: StoredSnapshot): Promise<void>;
}

export class KvSnapshotStore implements SnapshotStore {
  readonly #kv: KV;
  readonly #region: string;

  constructor(kv: KV, region: string) {
    this.#kv = kv;
    this.#region = region;
  }

  async load(entityKey: string): Promise<StoredSnapshot | undefined> {
    const key = snapshotKey(this.#region, entityKey);
    try {
      const entry = await this.#kv.get(key);
      if (entry === null || entry.operation !== "PUT" || entry.length === 0) return undefined;
      return entry.json<StoredSnapshot>();
    } catch (err) {
      throw new SnapshotStoreFailed("load", key, { cause: err });
    }
  }

  async save(entityKey: string, snapshot: StoredSnapshot): Promise<void> {
    const key = snapshotKey(this.#region, entityKey);
    try {
      await this.#kv.put(key, JSON.stringify(snapshot));
    } catch (err) {
      throw new SnapshotStoreFailed("save", key, { cause: err });
    }
  }
}
