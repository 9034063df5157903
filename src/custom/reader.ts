/**
 * Reads a custom table whose schema has grown: files written before a column existed lack it,
 * and such a row reads that column as null (what Delta readers do). The lake's `DeltaTable.read`
 * asks every file for every column of the current schema, which fails on those older files.
 */
import { parquetMetadata } from "hyparquet";
import { DeltaTable, type Predicate, type Row, type VersionSpec } from "../lake/index.js";
import { parsePartitionValue } from "../lake/delta/schema.js";
import { decodeParquet } from "../lake/parquet/decode.js";
import { keyOfPath } from "../lake/table/paths.js";
import { matches } from "../lake/table/pruning.js";

export async function readCustomTable(table: DeltaTable, options: VersionSpec & { filter?: Predicate[] } = {}): Promise<Row[]> {
  const s = await table.snapshot(options);
  const { columns, partitionColumns } = DeltaTable.schemaOf(s);
  const filter = options.filter ?? [];
  const out: Row[] = [];
  for (const add of table.files(s, filter)) {
    const bytes = await table.storage.get(keyOfPath(add.path));
    if (!bytes) throw new Error(`data file ${add.path} is referenced by version ${s.version} but missing`);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const present = new Set(parquetMetadata(file).schema.slice(1).map((e) => e.name));
    const wanted = columns.filter((c) => !partitionColumns.includes(c.name) && present.has(c.name)).map((c) => c.name);
    const rows = await decodeParquet(bytes, wanted);
    for (const r of rows) {
      const row: Row = {};
      for (const c of columns) {
        row[c.name] = partitionColumns.includes(c.name) ? parsePartitionValue(c.type, add.partitionValues[c.name]) : (r[c.name] ?? null);
      }
      if (filter.every((p) => matches(p, row[p.column]))) out.push(row);
    }
  }
  return out;
}
