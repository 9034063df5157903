import { LakeProtocolError } from "../errors.js";
import type { Action, AddFile, CommitInfo, Metadata, Protocol, RemoveFile } from "./actions.js";
import { assertNever } from "../../runtime/assert-never.js";

/** The table as of one version: what a reader needs, built by replaying actions in order. */
export interface Snapshot {
  version: number;
  protocol: Protocol;
  metadata: Metadata;
  /** Live files by path. */
  files: Map<string, AddFile>;
  /** Removed files (tombstones) by path; vacuum deletes them after the retention period. */
  tombstones: Map<string, RemoveFile>;
  /** Highest committed version per application id. */
  txns: Map<string, number>;
  /** Commit time of this version, ms since epoch. */
  timestamp: number;
}

export interface SnapshotBuilder {
  version: number;
  protocol?: Protocol;
  metadata?: Metadata;
  files: Map<string, AddFile>;
  tombstones: Map<string, RemoveFile>;
  txns: Map<string, number>;
  timestamp: number;
}

export function emptyBuilder(): SnapshotBuilder {
  return { version: -1, files: new Map(), tombstones: new Map(), txns: new Map(), timestamp: 0 };
}

export function builderFrom(s: Snapshot): SnapshotBuilder {
  return { ...s, files: new Map(s.files), tombstones: new Map(s.tombstones), txns: new Map(s.txns) };
}

/** Paths in the log are URIs; the same file may be spelled encoded or not, so compare decoded. */
export function canonicalPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Applies one commit's actions (mutates the builder; callers own it). */
export function applyCommit(b: SnapshotBuilder, version: number, actions: Action[], fallbackTime: number): void {
  if (version !== b.version + 1 && b.version !== -1) {
    throw new LakeProtocolError(`log gap: version ${version} follows ${b.version}`);
  }
  let commitTime: number | undefined;
  for (const a of actions) {
    switch (a.type) {
      case "protocol":
        b.protocol = a.protocol;
        break;
      case "metaData":
        b.metadata = a.metaData;
        break;
      case "add": {
        const key = canonicalPath(a.add.path);
        b.files.set(key, a.add);
        b.tombstones.delete(key);
        break;
      }
      case "remove": {
        const key = canonicalPath(a.remove.path);
        b.files.delete(key);
        b.tombstones.set(key, a.remove);
        break;
      }
      case "txn":
        b.txns.set(a.txn.appId, a.txn.version);
        break;
      case "commitInfo":
        commitTime = commitTimestamp(a.commitInfo);
        break;
      case "other":
        break;
      default:
        assertNever(a);
    }
  }
  b.version = version;
  b.timestamp = commitTime ?? fallbackTime;
}

function commitTimestamp(info: CommitInfo): number | undefined {
  const t = info.inCommitTimestamp ?? info.timestamp;
  return typeof t === "number" ? t : undefined;
}

export function finish(b: SnapshotBuilder): Snapshot {
  if (!b.protocol || !b.metadata) throw new LakeProtocolError(`version ${b.version} has no protocol or metaData`);
  if (b.protocol.minReaderVersion > 1) {
    throw new LakeProtocolError(`table needs reader version ${b.protocol.minReaderVersion}; this reader implements 1`);
  }
  return {
    version: b.version,
    protocol: b.protocol,
    metadata: b.metadata,
    files: b.files,
    tombstones: b.tombstones,
    txns: b.txns,
    timestamp: b.timestamp,
  };
}
