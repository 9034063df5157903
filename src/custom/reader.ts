/**
 * Reads a custom table whose schema has grown: files written before a column existed lack it,
 * and such a row reads that column as null (what Delta readers do). The lake's `DeltaTable.read`
 * asks every file for every column of the current schema, which fails on those older files.
 */
import { DeltaTable, type Predicate, type Row, type VersionSpec } from "../lake/index.js";
import { readEvolvedFile } from "../lake/table/evolved-read.js";
import { matches } from "../lake/table/pruning.js";

export async function readCustomTable(table: DeltaTable, options: VersionSpec & { filter?: Predicate[] } = {}): Promise<Row[]> {
  const s = await table.snapshot(options);
  const schema = DeltaTable.schemaOf(s);
  const filter = options.filter ?? [];
  const out: Row[] = [];
  for (const add of table.files(s, filter)) {
    for (const row of await readEvolvedFile(table, s, add, schema)) {
      if (filter.every((p) => matches(p, row[p.column]))) out.push(row);
    }
  }
  return out;
}
