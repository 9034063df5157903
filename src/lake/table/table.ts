import { randomUUID } from "node:crypto";
import { LakeCommitConflict, LakeProtocolError, LakeTableNotFound } from "../errors.js";
import type { Action, AddFile, CommitInfo } from "../delta/actions.js";
import { DeltaLog, type DeltaLogOptions, type HistoryEntry } from "../delta/log.js";
import type { Snapshot } from "../delta/replay.js";
import { parsePartitionValue, parseSchemaString, toSchemaString, type ColumnSpec, type TableSchema } from "../delta/schema.js";
import { decodeParquet, type Row } from "../parquet/decode.js";
import { encodeParquet, type ColumnarBatch } from "../parquet/encode.js";
import { computeStats } from "../parquet/stats.js";
import type { Storage } from "../storage/types.js";
import { keyOfPath, newDataFile } from "./paths.js";
import { matches, pruneFiles, type Predicate } from "./pruning.js";

export interface TableDefinition extends TableSchema {
  name: string;
  description?: string;
  configuration?: Record<string, string>;
}

/** Which version to read: latest, a version number, or the state at a time (ms). */
export type VersionSpec = { version?: number; timestamp?: number };

export interface CommitOptions {
  operation: string;
  operationParameters?: Record<string, unknown>;
  /** Optimistic-concurrency attempts before giving up. */
  maxAttempts?: number;
}

const ENGINE = "tickhouse-lake/0.1";

/** One Delta table in a storage folder: create, write data files, commit, read. */
export class DeltaTable {
  readonly storage: Storage;
  readonly log: DeltaLog;
  readonly now: () => number;

  constructor(storage: Storage, options: DeltaLogOptions & { now?: () => number } = {}) {
    this.storage = storage;
    this.log = new DeltaLog(storage, options);
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens the table, creating version 0 when there is none yet. A race to create is harmless.
   * When the definition has grown nullable columns the table lacks (a field added to a record's
   * contract), one "ADD COLUMNS" commit appends them to the table's schema; rows of older files
   * read them as null.
   */
  static async createIfAbsent(storage: Storage, def: TableDefinition, options: DeltaLogOptions & { now?: () => number } = {}): Promise<DeltaTable> {
    const table = new DeltaTable(storage, options);
    try {
      const snapshot = await table.log.latest();
      const added = columnsToAdd(DeltaTable.schemaOf(snapshot).columns, def.columns);
      if (added.length > 0) await table.#addColumns(def.columns, added);
      return table;
    } catch (err) {
      if (!(err instanceof LakeTableNotFound)) throw err;
    }
    const now = table.now();
    const actions: Action[] = [
      { type: "commitInfo", commitInfo: { timestamp: now, operation: "CREATE TABLE", operationParameters: { partitionBy: JSON.stringify(def.partitionColumns) }, engineInfo: ENGINE, isBlindAppend: true } },
      { type: "protocol", protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        type: "metaData",
        metaData: {
          id: randomUUID(),
          name: def.name,
          description: def.description ?? null,
          format: { provider: "parquet", options: {} },
          schemaString: toSchemaString(def.columns),
          partitionColumns: def.partitionColumns,
          configuration: def.configuration ?? {},
          createdTime: now,
        },
      },
    ];
    try {
      await table.log.commit(undefined, actions);
    } catch (err) {
      if (!(err instanceof LakeCommitConflict)) throw err;
    }
    return table;
  }

  /** Appends the columns `wanted` has and the table lacks (another node may have added them first). */
  async #addColumns(wanted: readonly ColumnSpec[], expected: readonly ColumnSpec[]): Promise<void> {
    await this.commitWith(
      (s) => {
        const current = DeltaTable.schemaOf(s).columns;
        const added = columnsToAdd(current, wanted);
        return added.length === 0 ? undefined : [{ type: "metaData", metaData: { ...s.metadata, schemaString: toSchemaString([...current, ...added]) } }];
      },
      { operation: "ADD COLUMNS", operationParameters: { columns: JSON.stringify(expected.map((c) => c.name)) } },
    );
  }

  async snapshot(at: VersionSpec = {}): Promise<Snapshot> {
    if (at.version !== undefined) return this.log.snapshot(at.version);
    if (at.timestamp !== undefined) return this.log.snapshotAt(at.timestamp);
    return this.log.latest();
  }

  history(limit?: number): Promise<HistoryEntry[]> {
    return this.log.history(limit);
  }

  static schemaOf(s: Snapshot): TableSchema {
    return { columns: parseSchemaString(s.metadata.schemaString), partitionColumns: s.metadata.partitionColumns };
  }

  /** Writes one data file (not yet visible: only a commit makes it part of the table). */
  async writeDataFile(schema: TableSchema, partitionValues: Record<string, string | null>, batch: ColumnarBatch, dataChange = true): Promise<AddFile> {
    const dataColumns = schema.columns.filter((c) => !schema.partitionColumns.includes(c.name));
    const bytes = encodeParquet(dataColumns, batch);
    const { key, path } = newDataFile(schema.partitionColumns, partitionValues);
    await this.storage.put(key, bytes);
    return {
      path,
      partitionValues,
      size: bytes.byteLength,
      modificationTime: this.now(),
      dataChange,
      stats: JSON.stringify(computeStats(dataColumns, batch)),
    };
  }

  /**
   * Optimistic commit: `build` sees the latest snapshot and returns the actions to commit (or
   * undefined for "nothing to do"); on a conflict it is called again on the newer snapshot.
   */
  async commitWith(build: (s: Snapshot) => Action[] | undefined, options: CommitOptions): Promise<number | undefined> {
    const attempts = options.maxAttempts ?? 20;
    for (let attempt = 1; ; attempt++) {
      const snapshot = await this.log.latest();
      checkWritable(snapshot);
      const actions = build(snapshot);
      if (!actions) return undefined;
      checkAppendOnly(snapshot, actions);
      const info: CommitInfo = {
        timestamp: this.now(),
        operation: options.operation,
        operationParameters: options.operationParameters ?? {},
        readVersion: snapshot.version,
        isBlindAppend: actions.every((a) => a.type !== "remove"),
        engineInfo: ENGINE,
      };
      try {
        return await this.log.commit(snapshot, [{ type: "commitInfo", commitInfo: info }, ...actions]);
      } catch (err) {
        if (!(err instanceof LakeCommitConflict) || attempt >= attempts) throw err;
      }
    }
  }

  /** Live files of a snapshot that may hold rows matching `filter`. */
  files(s: Snapshot, filter: Predicate[] = []): AddFile[] {
    const { columns, partitionColumns } = DeltaTable.schemaOf(s);
    return pruneFiles(s.files.values(), columns, partitionColumns, filter);
  }

  /** Rows of one data file with its partition values filled in. */
  async readFile(s: Snapshot, add: AddFile, columns?: string[]): Promise<Row[]> {
    const { columns: schema, partitionColumns } = DeltaTable.schemaOf(s);
    const bytes = await this.storage.get(keyOfPath(add.path));
    if (!bytes) throw new LakeTableNotFound(`data file ${add.path} is referenced by version ${s.version} but missing`);
    const dataNames = (columns ?? schema.map((c) => c.name)).filter((n) => !partitionColumns.includes(n));
    const rows = await decodeParquet(bytes, dataNames.length ? dataNames : undefined);
    const parts = schema.filter((c) => partitionColumns.includes(c.name) && (!columns || columns.includes(c.name)));
    if (parts.length) {
      const values = parts.map((c): [string, unknown] => [c.name, parsePartitionValue(c.type, add.partitionValues[c.name])]);
      for (const row of rows) for (const [k, v] of values) row[k] = v;
    }
    return rows;
  }

  /**
   * Reads (and filters) rows; files are pruned first by partition values and stats. `signal` is
   * checked before each file, so a long read stops (throwing its reason) soon after an abort.
   */
  async read(options: VersionSpec & { filter?: Predicate[]; limit?: number; columns?: string[]; signal?: AbortSignal } = {}): Promise<Row[]> {
    const s = await this.snapshot(options);
    const filter = options.filter ?? [];
    // Rows are filtered after reading, so the filter's columns must be read too.
    const columns = options.columns && [...new Set([...options.columns, ...filter.map((p) => p.column)])];
    const out: Row[] = [];
    const limit = options.limit ?? Infinity;
    for (const f of this.files(s, filter)) {
      options.signal?.throwIfAborted();
      const rows = await this.readFile(s, f, columns);
      for (const r of rows) {
        if (!filter.every((p) => matches(p, r[p.column]))) continue;
        if (options.columns) for (const k of Object.keys(r)) if (!options.columns.includes(k)) delete r[k];
        out.push(r);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }
}

/** This writer implements writer version 2: refuse tables that need more. */
function checkWritable(s: Snapshot): void {
  if (s.protocol.minWriterVersion > 2) {
    throw new LakeProtocolError(`table needs writer version ${s.protocol.minWriterVersion}; this writer implements 2`);
  }
}

/** Writer v2 duty: `delta.appendOnly=true` forbids removing data (compaction's dataChange=false removes are fine). */
function checkAppendOnly(s: Snapshot, actions: Action[]): void {
  if (s.metadata.configuration?.["delta.appendOnly"] !== "true") return;
  if (actions.some((a) => a.type === "remove" && a.remove.dataChange)) {
    throw new LakeProtocolError("table is append-only (delta.appendOnly=true): data cannot be removed");
  }
}

export type { ColumnSpec, Predicate, Row };

/**
 * The definition's columns a table lacks, to be appended to its schema: only nullable ones, and
 * only when every column the table has is still defined with the same type. Anything else (a
 * column dropped, retyped, or added as required) is not a growth this opens into; the table stays as
 * it is.
 */
export function columnsToAdd(table: readonly ColumnSpec[], definition: readonly ColumnSpec[]): ColumnSpec[] {
  const defined = new Map(definition.map((c) => [c.name, c]));
  if (!table.every((c) => defined.get(c.name)?.type === c.type)) return [];
  const have = new Set(table.map((c) => c.name));
  const added = definition.filter((c) => !have.has(c.name));
  return added.every((c) => c.nullable) ? added : [];
}
