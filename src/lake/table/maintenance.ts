import { LakeConcurrentModification } from "../errors.js";
import type { Action, AddFile } from "../delta/actions.js";
import { canonicalPath } from "../delta/replay.js";
import type { ColumnarBatch } from "../parquet/encode.js";
import type { Row } from "../parquet/decode.js";
import { keyOfPath, partitionDir } from "./paths.js";
import { DeltaTable } from "./table.js";

export interface OptimizeOptions {
  /** Files smaller than this (bytes) are candidates for compaction. */
  smallFileBytes?: number;
  /** Only compact a partition holding at least this many small files. */
  minFiles?: number;
}

export interface OptimizeResult {
  version: number | undefined;
  partitions: number;
  filesRemoved: number;
  filesAdded: number;
  rows: number;
}

/** Groups small live files by partition: the pure part of compaction, tested without storage. */
export function planCompaction(files: Iterable<AddFile>, partitionColumns: string[], options: OptimizeOptions = {}): AddFile[][] {
  const small = options.smallFileBytes ?? 64 * 1024 * 1024;
  const minFiles = options.minFiles ?? 2;
  const groups = new Map<string, AddFile[]>();
  for (const f of files) {
    if (f.size >= small) continue;
    const key = partitionDir(partitionColumns, f.partitionValues);
    const g = groups.get(key) ?? [];
    g.push(f);
    groups.set(key, g);
  }
  return [...groups.values()].filter((g) => g.length >= minFiles);
}

function toBatch(rows: Row[], names: string[]): ColumnarBatch {
  return { numRows: rows.length, columns: new Map(names.map((n) => [n, rows.map((r) => r[n] ?? null)])) };
}

/**
 * Rewrites each partition's small files as one file, committed with `dataChange: false`
 * (readers and streaming consumers know no data changed). A concurrent commit that removed one
 * of our inputs aborts the compaction; plain appends do not.
 */
export async function optimize(table: DeltaTable, options: OptimizeOptions = {}): Promise<OptimizeResult> {
  const s = await table.snapshot();
  const schema = DeltaTable.schemaOf(s);
  const groups = planCompaction(s.files.values(), schema.partitionColumns, options);
  if (groups.length === 0) return { version: undefined, partitions: 0, filesRemoved: 0, filesAdded: 0, rows: 0 };
  const dataNames = schema.columns.map((c) => c.name).filter((n) => !schema.partitionColumns.includes(n));
  const actions: Action[] = [];
  let rows = 0;
  const now = table.now();
  for (const group of groups) {
    const all: Row[] = [];
    for (const f of group) all.push(...(await table.readFile(s, f, dataNames)));
    rows += all.length;
    const add = await table.writeDataFile(schema, group[0]!.partitionValues, toBatch(all, dataNames), false);
    actions.push({ type: "add", add });
    for (const f of group) {
      actions.push({
        type: "remove",
        remove: { path: f.path, deletionTimestamp: now, dataChange: false, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
      });
    }
  }
  const removed = groups.flat();
  const version = await table.commitWith(
    (latest) => {
      for (const f of removed) {
        if (!latest.files.has(canonicalPath(f.path))) throw new LakeConcurrentModification(`file ${f.path} was removed by a concurrent commit`);
      }
      return actions;
    },
    { operation: "OPTIMIZE", operationParameters: { predicate: "[]", zOrderBy: "[]" } },
  );
  return { version, partitions: groups.length, filesRemoved: removed.length, filesAdded: groups.length, rows };
}

export interface VacuumOptions {
  /** Keep unreferenced files younger than this (Delta's default: 7 days). */
  retentionMs?: number;
  dryRun?: boolean;
  now?: number;
}

export interface VacuumResult {
  dryRun: boolean;
  /** Storage keys deleted (or that would be, on a dry run). */
  deleted: string[];
  bytes: number;
}

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** Hidden folders (`_delta_log`, `_change_data`, temp files) are never data files. */
function isHidden(key: string): boolean {
  return key.split("/").some((seg) => (seg.startsWith("_") && !seg.includes("=")) || seg.startsWith("."));
}

/**
 * Deletes data files the latest version does not reference and that are older than the retention
 * period: tombstoned files (by deletion time) and orphans of crashed writers (by file age, so a
 * writer's not-yet-committed file is safe). Time travel to versions that used them stops working.
 */
export async function vacuum(table: DeltaTable, options: VacuumOptions = {}): Promise<VacuumResult> {
  const retention = options.retentionMs ?? DEFAULT_RETENTION_MS;
  const now = options.now ?? table.now();
  const cutoff = now - retention;
  const s = await table.snapshot();
  const live = new Set([...s.files.values()].map((f) => keyOfPath(f.path)));
  const tombstoneTime = new Map([...s.tombstones.values()].map((r) => [keyOfPath(r.path), r.deletionTimestamp ?? 0]));
  const objects = await table.storage.list("");
  const deleted: string[] = [];
  let bytes = 0;
  for (const o of objects) {
    if (isHidden(o.key) || live.has(o.key)) continue;
    const removedAt = tombstoneTime.get(o.key) ?? o.lastModified;
    if (removedAt > cutoff || o.lastModified > cutoff) continue;
    deleted.push(o.key);
    bytes += o.size;
  }
  if (!options.dryRun) for (const key of deleted) await table.storage.delete(key);
  return { dryRun: options.dryRun ?? false, deleted, bytes };
}
