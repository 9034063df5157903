import { LakeProtocolError } from "../errors.js";

/** Delta Lake log actions (protocol reader v1 / writer v2), field names exactly as the spec spells them. */
export interface Protocol {
  minReaderVersion: number;
  minWriterVersion: number;
}

export interface Metadata {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: string; options: Record<string, string> };
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number | null;
}

/** Per-file column statistics, stored in `add.stats` as a JSON string. */
export interface FileStats {
  numRecords: number;
  minValues: Record<string, unknown>;
  maxValues: Record<string, unknown>;
  nullCount: Record<string, number>;
}

export interface AddFile {
  /** Relative URI of the data file (percent-encoded). */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  /** ms since epoch. */
  modificationTime: number;
  dataChange: boolean;
  stats?: string | null;
  tags?: Record<string, string> | null;
}

export interface RemoveFile {
  path: string;
  /** ms since epoch. */
  deletionTimestamp?: number | null;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string | null> | null;
  size?: number | null;
}

/** Application transaction id: the highest `version` (our log sequence) an app has committed. */
export interface Txn {
  appId: string;
  version: number;
  lastUpdated?: number | null;
}

export type CommitInfo = Record<string, unknown> & { timestamp?: number; operation?: string };

export type Action =
  | { type: "protocol"; protocol: Protocol }
  | { type: "metaData"; metaData: Metadata }
  | { type: "add"; add: AddFile }
  | { type: "remove"; remove: RemoveFile }
  | { type: "txn"; txn: Txn }
  | { type: "commitInfo"; commitInfo: CommitInfo }
  /** Actions from newer protocol features (cdc, domainMetadata...) that a v1 reader may skip. */
  | { type: "other"; key: string; value: unknown };

const KNOWN = ["protocol", "metaData", "add", "remove", "txn", "commitInfo"] as const;

export function actionToJson(a: Action): string {
  if (a.type === "other") return JSON.stringify({ [a.key]: a.value });
  return JSON.stringify({ [a.type]: (a as Record<string, unknown>)[a.type] });
}

/** One commit file = newline-delimited JSON, one action per line. */
export function serializeCommit(actions: Action[]): string {
  return actions.map(actionToJson).join("\n") + "\n";
}

export function parseCommit(text: string, where: string): Action[] {
  const out: Action[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch (err) {
      throw new LakeProtocolError(`${where}: a line is not JSON`, { cause: err });
    }
    const key = Object.keys(obj)[0];
    if (key === undefined) continue;
    const value = obj[key];
    if ((KNOWN as readonly string[]).includes(key)) out.push({ type: key, [key]: value } as Action);
    else out.push({ type: "other", key, value });
  }
  return out;
}

export function parseStats(add: AddFile): FileStats | undefined {
  if (!add.stats) return undefined;
  try {
    const s = JSON.parse(add.stats) as Partial<FileStats>;
    return { numRecords: s.numRecords ?? -1, minValues: s.minValues ?? {}, maxValues: s.maxValues ?? {}, nullCount: s.nullCount ?? {} };
  } catch {
    return undefined;
  }
}

/** `_delta_log/00000000000000000007.json` */
export function commitKey(version: number): string {
  return `_delta_log/${String(version).padStart(20, "0")}.json`;
}

export function checkpointKey(version: number): string {
  return `_delta_log/${String(version).padStart(20, "0")}.checkpoint.parquet`;
}

export const LAST_CHECKPOINT_KEY = "_delta_log/_last_checkpoint";

export type LogFile = { kind: "commit"; version: number } | { kind: "checkpoint"; version: number };

/** Recognises commit and single-part checkpoint file names; ignores everything else in `_delta_log/`. */
export function parseLogKey(key: string): LogFile | undefined {
  const name = key.slice(key.lastIndexOf("/") + 1);
  const m = /^(\d{20})\.(json|checkpoint\.parquet)$/.exec(name);
  if (!m) return undefined;
  const version = Number(m[1]);
  return m[2] === "json" ? { kind: "commit", version } : { kind: "checkpoint", version };
}
