import { LakeCommitConflict, LakeProtocolError, LakeTableNotFound, LakeVersionNotFound } from "../errors.js";
import type { Storage } from "../storage/types.js";
import {
  checkpointKey,
  commitKey,
  LAST_CHECKPOINT_KEY,
  parseCommit,
  parseLogKey,
  serializeCommit,
  type Action,
  type CommitInfo,
} from "./actions.js";
import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.js";
import { applyCommit, builderFrom, emptyBuilder, finish, type Snapshot, type SnapshotBuilder } from "./replay.js";

export interface DeltaLogOptions {
  /** Write a checkpoint after every N-th version (Delta's default is 10). */
  checkpointInterval?: number;
}

export interface HistoryEntry {
  version: number;
  timestamp: number;
  operation?: string;
  operationParameters?: unknown;
  commitInfo?: CommitInfo;
}

interface LogListing {
  commits: Map<number, number>; // version → lastModified
  checkpoints: number[];
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The `_delta_log/` of one table: read snapshots, commit new versions, write checkpoints. */
export class DeltaLog {
  readonly storage: Storage;
  readonly checkpointInterval: number;
  /** Latest snapshot we have built; newer commits are replayed on top of it. */
  #cache: Snapshot | undefined;

  constructor(storage: Storage, options: DeltaLogOptions = {}) {
    this.storage = storage;
    this.checkpointInterval = options.checkpointInterval ?? 10;
    if (!(this.checkpointInterval >= 1)) throw new RangeError("checkpointInterval must be >= 1");
  }

  async #list(startAfterVersion?: number): Promise<LogListing> {
    const startAfter = startAfterVersion === undefined || startAfterVersion < 0 ? undefined : commitKey(startAfterVersion);
    const objects = await this.storage.list("_delta_log/", startAfter);
    const commits = new Map<number, number>();
    const checkpoints: number[] = [];
    for (const o of objects) {
      const f = parseLogKey(o.key);
      if (f?.kind === "commit") commits.set(f.version, o.lastModified);
      else if (f?.kind === "checkpoint") checkpoints.push(f.version);
    }
    checkpoints.sort((a, b) => a - b);
    return { commits, checkpoints };
  }

  async readCommit(version: number): Promise<Action[] | undefined> {
    const bytes = await this.storage.get(commitKey(version));
    return bytes && parseCommit(decoder.decode(bytes), commitKey(version));
  }

  async #lastCheckpointHint(): Promise<number | undefined> {
    const bytes = await this.storage.get(LAST_CHECKPOINT_KEY);
    if (!bytes) return undefined;
    try {
      const v = (JSON.parse(decoder.decode(bytes)) as { version?: unknown }).version;
      return typeof v === "number" ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async #replay(b: SnapshotBuilder, upTo: number, commits: Map<number, number>): Promise<Snapshot> {
    // Fetch commit files a few at a time: on S3 each one is a round trip.
    const versions: number[] = [];
    for (let v = b.version + 1; v <= upTo; v++) versions.push(v);
    const CONCURRENCY = 8;
    for (let i = 0; i < versions.length; i += CONCURRENCY) {
      const chunk = versions.slice(i, i + CONCURRENCY);
      const loaded = await Promise.all(chunk.map((v) => this.readCommit(v)));
      chunk.forEach((v, j) => {
        const actions = loaded[j];
        if (!actions) throw new LakeProtocolError(`log file for version ${v} is missing`);
        applyCommit(b, v, actions, commits.get(v) ?? 0);
      });
    }
    return finish(b);
  }

  /** The latest version, replaying only what is new since the last call. */
  async latest(): Promise<Snapshot> {
    const cached = this.#cache;
    if (cached) {
      const listing = await this.#list(cached.version);
      const newest = Math.max(cached.version, ...listing.commits.keys());
      if (newest === cached.version) return cached;
      const s = await this.#replay(builderFrom(cached), newest, listing.commits);
      this.#cache = s;
      return s;
    }
    const s = await this.#load(undefined);
    this.#cache = s;
    return s;
  }

  /** The table as of `version` (time travel), or the latest when omitted. */
  async snapshot(version?: number): Promise<Snapshot> {
    if (version === undefined) return this.latest();
    const cached = this.#cache;
    if (cached && cached.version === version) return cached;
    return this.#load(version);
  }

  async #load(target: number | undefined): Promise<Snapshot> {
    const hint = await this.#lastCheckpointHint();
    const useHint = hint !== undefined && (target === undefined || hint <= target);
    let listing = await this.#list(useHint ? hint - 1 : undefined);
    if (useHint && !listing.checkpoints.includes(hint)) listing = await this.#list(undefined);
    if (listing.commits.size === 0 && listing.checkpoints.length === 0) {
      throw new LakeTableNotFound(`no Delta table at ${this.storage.uri}`);
    }
    const newest = Math.max(-1, ...listing.commits.keys(), ...listing.checkpoints);
    const upTo = target ?? newest;
    if (upTo > newest || upTo < 0) throw new LakeVersionNotFound(`version ${upTo} does not exist (latest is ${newest})`);
    const base = [...listing.checkpoints].reverse().find((v) => v <= upTo);
    let b: SnapshotBuilder;
    if (base === undefined) {
      if (!listing.commits.has(0)) {
        listing = await this.#list(undefined);
        if (!listing.commits.has(0)) throw new LakeVersionNotFound(`version ${upTo} cannot be rebuilt: log starts after 0 and no checkpoint covers it`);
      }
      b = emptyBuilder();
    } else {
      const bytes = await this.storage.get(checkpointKey(base));
      if (!bytes) throw new LakeProtocolError(`checkpoint ${base} vanished while reading`);
      b = await decodeCheckpoint(bytes, base);
      // A checkpoint has no commit time; take it from the commit file when it is still there.
      const actions = base === upTo ? await this.readCommit(base) : undefined;
      const info = actions?.find((a) => a.type === "commitInfo");
      b.timestamp = info?.type === "commitInfo" && typeof info.commitInfo.timestamp === "number" ? info.commitInfo.timestamp : listing.commits.get(base) ?? 0;
    }
    return this.#replay(b, upTo, listing.commits);
  }

  /** The latest version whose commit time is at or before `timestamp` (ms). */
  async snapshotAt(timestamp: number): Promise<Snapshot> {
    const history = await this.history();
    const hit = history.find((h) => h.timestamp <= timestamp);
    if (!hit) throw new LakeVersionNotFound(`no version committed at or before ${new Date(timestamp).toISOString()}`);
    return this.snapshot(hit.version);
  }

  /** Every version with its commitInfo, newest first. */
  async history(limit?: number): Promise<HistoryEntry[]> {
    const listing = await this.#list(undefined);
    const versions = [...listing.commits.keys()].sort((a, b) => b - a).slice(0, limit ?? Infinity);
    const entries = await Promise.all(
      versions.map(async (version): Promise<HistoryEntry> => {
        const actions = (await this.readCommit(version)) ?? [];
        const info = actions.find((a) => a.type === "commitInfo");
        const commitInfo = info?.type === "commitInfo" ? info.commitInfo : undefined;
        const ts = commitInfo?.inCommitTimestamp ?? commitInfo?.timestamp;
        return {
          version,
          timestamp: typeof ts === "number" ? ts : listing.commits.get(version) ?? 0,
          operation: commitInfo?.operation,
          operationParameters: commitInfo?.operationParameters,
          commitInfo,
        };
      }),
    );
    return entries;
  }

  /**
   * Writes version `readVersion + 1` if nobody has; throws LakeCommitConflict otherwise.
   * `base` is the snapshot the actions were built on (used to checkpoint without re-reading).
   */
  async commit(base: Snapshot | undefined, actions: Action[]): Promise<number> {
    const version = (base?.version ?? -1) + 1;
    const ok = await this.storage.putIfAbsent(commitKey(version), encoder.encode(serializeCommit(actions)));
    if (!ok) throw new LakeCommitConflict(version);
    const b = base ? builderFrom(base) : emptyBuilder();
    applyCommit(b, version, actions, Date.now());
    const next = finish(b);
    if (!this.#cache || this.#cache.version < version) this.#cache = next;
    if (version > 0 && version % this.checkpointInterval === 0) {
      // The commit is already durable; a failed checkpoint only makes later reads replay more JSON.
      await this.writeCheckpoint(next).catch(() => {});
    }
    return version;
  }

  async writeCheckpoint(s: Snapshot): Promise<void> {
    const { bytes, actions } = encodeCheckpoint(s);
    await this.storage.put(checkpointKey(s.version), bytes);
    const current = await this.#lastCheckpointHint();
    if (current === undefined || current < s.version) {
      await this.storage.put(LAST_CHECKPOINT_KEY, encoder.encode(JSON.stringify({ version: s.version, size: actions })));
    }
  }
}
