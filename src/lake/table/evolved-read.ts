/**
 * Reading a data file of a table whose schema has grown: a file written before a column existed
 * lacks it, and its rows read that column as null (what Delta readers do). `DeltaTable.read` asks
 * every file for every column of the current schema, which fails on such older files; the custom
 * tables and the data catalogue read through this instead.
 */
import { parquetMetadata } from "hyparquet";
import type { AddFile } from "../delta/actions.js";
import type { Snapshot } from "../delta/replay.js";
import { parsePartitionValue, type TableSchema } from "../delta/schema.js";
import { decodeParquet, type Row } from "../parquet/decode.js";
import { keyOfPath } from "./paths.js";
import { DeltaTable } from "./table.js";

/** One data file's rows under the snapshot's schema (`schema` when the caller has parsed it already). */
export async function readEvolvedFile(table: DeltaTable, s: Snapshot, add: AddFile, schema: TableSchema = DeltaTable.schemaOf(s)): Promise<Row[]> {
  const { columns, partitionColumns } = schema;
  const bytes = await table.storage.get(keyOfPath(add.path));
  if (!bytes) throw new Error(`data file ${add.path} is referenced by version ${s.version} but missing`);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const present = new Set(parquetMetadata(file).schema.slice(1).map((e) => e.name));
  const wanted = columns.filter((c) => !partitionColumns.includes(c.name) && present.has(c.name)).map((c) => c.name);
  const rows = await decodeParquet(bytes, wanted);
  return rows.map((r) => {
    const row: Row = {};
    for (const c of columns) row[c.name] = partitionColumns.includes(c.name) ? parsePartitionValue(c.type, add.partitionValues[c.name]) : (r[c.name] ?? null);
    return row;
  });
}
