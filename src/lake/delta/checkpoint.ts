import { ByteWriter, parquetWrite } from "hyparquet-writer";
import { parquetReadObjects } from "hyparquet";
import type { AddFile, Metadata, Protocol, RemoveFile } from "./actions.js";
import { canonicalPath, emptyBuilder, type Snapshot, type SnapshotBuilder } from "./replay.js";

/** The writer bundles its own hyparquet; take its schema type from its signature. */
type SchemaElement = NonNullable<Parameters<typeof parquetWrite>[0]["schema"]>[number];

/**
 * Delta checkpoints: the whole snapshot as one Parquet file, one action per row, in the nested
 * layout Spark and delta-rs write (top-level struct columns txn/add/remove/metaData/protocol).
 */
const str = (name: string): SchemaElement => ({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" });
const i64 = (name: string): SchemaElement => ({ name, type: "INT64", repetition_type: "OPTIONAL" });
const i32 = (name: string): SchemaElement => ({ name, type: "INT32", repetition_type: "OPTIONAL" });
const bool = (name: string): SchemaElement => ({ name, type: "BOOLEAN", repetition_type: "OPTIONAL" });
const group = (name: string, n: number): SchemaElement => ({ name, num_children: n, repetition_type: "OPTIONAL" });
const stringMap = (name: string): SchemaElement[] => [
  { name, num_children: 1, repetition_type: "OPTIONAL", converted_type: "MAP" },
  { name: "key_value", num_children: 2, repetition_type: "REPEATED" },
  { name: "key", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
  str("value"),
];

const SCHEMA: SchemaElement[] = [
  { name: "spark_schema", num_children: 5 },
  group("txn", 3), str("appId"), i64("version"), i64("lastUpdated"),
  group("add", 6), str("path"), ...stringMap("partitionValues"), i64("size"), i64("modificationTime"), bool("dataChange"), str("stats"),
  group("remove", 6), str("path"), i64("deletionTimestamp"), bool("dataChange"), bool("extendedFileMetadata"), ...stringMap("partitionValues"), i64("size"),
  group("metaData", 8), str("id"), str("name"), str("description"),
  group("format", 2), str("provider"), ...stringMap("options"),
  str("schemaString"),
  { name: "partitionColumns", num_children: 1, repetition_type: "OPTIONAL", converted_type: "LIST" },
  { name: "list", num_children: 1, repetition_type: "REPEATED" },
  str("element"),
  ...stringMap("configuration"), i64("createdTime"),
  group("protocol", 2), i32("minReaderVersion"), i32("minWriterVersion"),
];

const big = (n: number | null | undefined) => (n === null || n === undefined ? null : BigInt(n));

export function encodeCheckpoint(s: Snapshot): { bytes: Uint8Array; actions: number } {
  const rows: Record<string, unknown>[] = [];
  rows.push({ protocol: s.protocol });
  const m = s.metadata;
  rows.push({
    metaData: {
      id: m.id,
      name: m.name ?? null,
      description: m.description ?? null,
      format: { provider: m.format.provider, options: m.format.options ?? {} },
      schemaString: m.schemaString,
      partitionColumns: m.partitionColumns,
      configuration: m.configuration ?? {},
      createdTime: big(m.createdTime),
    },
  });
  for (const [appId, version] of s.txns) rows.push({ txn: { appId, version: BigInt(version), lastUpdated: null } });
  for (const a of s.files.values()) {
    rows.push({
      add: {
        path: a.path,
        partitionValues: a.partitionValues,
        size: BigInt(a.size),
        modificationTime: BigInt(a.modificationTime),
        dataChange: false,
        stats: a.stats ?? null,
      },
    });
  }
  for (const r of s.tombstones.values()) {
    rows.push({
      remove: {
        path: r.path,
        deletionTimestamp: big(r.deletionTimestamp),
        dataChange: false,
        extendedFileMetadata: r.extendedFileMetadata ?? null,
        partitionValues: r.partitionValues ?? null,
        size: big(r.size),
      },
    });
  }
  const names = ["txn", "add", "remove", "metaData", "protocol"];
  const columnData = names.map((name) => ({ name, data: rows.map((r) => r[name] ?? null) }));
  const writer = new ByteWriter();
  parquetWrite({ writer, columnData, schema: SCHEMA, codec: "SNAPPY", statistics: false, rowGroupSize: Math.max(1, rows.length) });
  return { bytes: new Uint8Array(writer.getBuffer()), actions: rows.length };
}

type Obj = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Maps come back from hyparquet as plain objects (or arrays of {key, value} pairs). */
function toRecord(v: unknown): Record<string, string | null> {
  if (!v) return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((e: Obj) => [String(e.key), (e.value as string | null) ?? null]));
  return v as Record<string, string | null>;
}

/** Rebuilds the snapshot state a checkpoint holds (works for checkpoints written by Spark and delta-rs too). */
export async function decodeCheckpoint(bytes: Uint8Array, version: number): Promise<SnapshotBuilder> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const rows = (await parquetReadObjects({ file, rowFormat: "object" })) as Obj[];
  const b = emptyBuilder();
  b.version = version;
  for (const row of rows) {
    const p = row.protocol as Obj | null | undefined;
    if (p) b.protocol = { minReaderVersion: Number(p.minReaderVersion), minWriterVersion: Number(p.minWriterVersion) } satisfies Protocol;
    const md = row.metaData as Obj | null | undefined;
    if (md) {
      const format = (md.format as Obj | null) ?? {};
      b.metadata = {
        id: String(md.id),
        name: (md.name as string | null) ?? null,
        description: (md.description as string | null) ?? null,
        format: { provider: String(format.provider ?? "parquet"), options: toRecord(format.options) as Record<string, string> },
        schemaString: String(md.schemaString),
        partitionColumns: ((md.partitionColumns as string[] | null) ?? []).map(String),
        configuration: toRecord(md.configuration) as Record<string, string>,
        createdTime: num(md.createdTime),
      } satisfies Metadata;
    }
    const t = row.txn as Obj | null | undefined;
    if (t && t.appId !== null && t.appId !== undefined) b.txns.set(String(t.appId), Number(t.version));
    const a = row.add as Obj | null | undefined;
    if (a && a.path) {
      const add: AddFile = {
        path: String(a.path),
        partitionValues: toRecord(a.partitionValues),
        size: Number(a.size),
        modificationTime: Number(a.modificationTime),
        dataChange: Boolean(a.dataChange),
        stats: (a.stats as string | null) ?? null,
      };
      b.files.set(canonicalPath(add.path), add);
    }
    const r = row.remove as Obj | null | undefined;
    if (r && r.path) {
      const remove: RemoveFile = {
        path: String(r.path),
        deletionTimestamp: num(r.deletionTimestamp),
        dataChange: Boolean(r.dataChange),
        partitionValues: toRecord(r.partitionValues),
        size: num(r.size),
      };
      b.tombstones.set(canonicalPath(remove.path), remove);
    }
  }
  return b;
}
