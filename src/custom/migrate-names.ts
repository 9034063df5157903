/**
 * Moves custom tables named the old, ambiguous way (`custom_<source>_<type>`) to
 * `custom.<source>.<data_type>` (names.ts). An old table may hold the rows of two tenants (the
 * collision of issue 12); its files carry `source` and `data_type` partition values, so each file
 * goes to the table of its own pair. Per old table and pair, ONE Delta version of the new table
 * adds the copied files, widens the schema to the old one, carries the router's exactly-once txn
 * (`custom-router:<table>`: rows at or below it are in the files) and records
 * `txn custom-migration:<old table>` so a re-run after a crash skips what is done. Only when every
 * pair is committed is the old table deleted (log first, newest version first, so a crash leaves
 * an older consistent version or orphan files — never a new table without its rows).
 * Runs on the router's singleton holder before the router starts: nobody writes the old tables.
 */
import { DeltaTable, type Action, type AddFile, type ColumnSpec, type Lake, type Snapshot } from "../lake/index.js";
import { toSchemaString } from "../lake/delta/schema.js";
import { keyOfPath } from "../lake/table/paths.js";
import { customTableName, isLegacyCustomTableName, normalizeDataType, normalizeSource } from "./names.js";
import { PARTITION_COLUMNS } from "./schema.js";

export interface TableMigration {
  from: string;
  /** New tables and how many files each got. */
  to: { table: string; files: number }[];
}

/** An old table that cannot be split safely; it is left as it is (still readable under its old name). */
export class CustomTableMigrationRefused extends Error {
  constructor(readonly table: string, message: string) {
    super(`${table}: ${message}`);
    this.name = "CustomTableMigrationRefused";
  }
}

const routerAppId = (table: string) => `custom-router:${table}`;
const migrationAppId = (legacy: string) => `custom-migration:${legacy}`;

/** Migrates every legacy custom table; a refused one is reported through `onRefused` and skipped. */
export async function migrateLegacyCustomTables(lake: Lake, onRefused: (err: CustomTableMigrationRefused) => void = () => {}): Promise<TableMigration[]> {
  const done: TableMigration[] = [];
  for (const name of (await lake.tables()).filter(isLegacyCustomTableName)) {
    try {
      done.push(await migrateLegacyCustomTable(lake, name));
    } catch (err) {
      if (!(err instanceof CustomTableMigrationRefused)) throw err;
      onRefused(err);
    }
  }
  return done;
}

export async function migrateLegacyCustomTable(lake: Lake, legacy: string): Promise<TableMigration> {
  const old = lake.table(legacy);
  const s = await old.snapshot();
  const groups = filesByPair(legacy, s);
  const to: TableMigration["to"] = [];
  for (const [table, files] of groups) {
    await copyInto(lake, legacy, s, table, files);
    to.push({ table, files: files.length });
  }
  await deleteTable(lake, legacy);
  return { from: legacy, to };
}

function filesByPair(legacy: string, s: Snapshot): Map<string, AddFile[]> {
  const groups = new Map<string, AddFile[]>();
  for (const f of s.files.values()) {
    const source = normalizeSource(f.partitionValues.source ?? "");
    const dataType = normalizeDataType(f.partitionValues.data_type ?? "");
    if (source === undefined || dataType === undefined) {
      throw new CustomTableMigrationRefused(legacy, `file ${f.path} has no valid source/data_type partition values`);
    }
    const table = customTableName(source, dataType);
    groups.set(table, [...(groups.get(table) ?? []), f]);
  }
  return groups;
}

async function copyInto(lake: Lake, legacy: string, s: Snapshot, table: string, files: AddFile[]): Promise<void> {
  const oldColumns = DeltaTable.schemaOf(s).columns;
  const target = await lake.ensureTable({
    name: table,
    description: "Custom data (schema inferred from the records, evolved by adding nullable columns)",
    columns: oldColumns,
    partitionColumns: [...PARTITION_COLUMNS],
  });
  const current = await target.snapshot();
  if (current.txns.has(migrationAppId(legacy))) return; // an earlier run committed this pair
  const columns = widen(table, DeltaTable.schemaOf(current).columns, oldColumns);
  const source = lake.tableStorage(legacy);
  const dest = lake.tableStorage(table);
  for (const f of files) {
    const bytes = await source.get(keyOfPath(f.path));
    if (bytes === undefined) throw new CustomTableMigrationRefused(legacy, `data file ${f.path} is missing`);
    await dest.put(keyOfPath(f.path), bytes);
  }
  const routerTxn = s.txns.get(routerAppId(legacy));
  await target.commitWith(
    (now) => {
      if (now.txns.has(migrationAppId(legacy))) return undefined;
      const actions: Action[] = [];
      if (columns.length > DeltaTable.schemaOf(now).columns.length) actions.push({ type: "metaData", metaData: { ...now.metadata, schemaString: toSchemaString(columns) } });
      for (const f of files) actions.push({ type: "add", add: { ...f, dataChange: true } });
      actions.push({ type: "txn", txn: { appId: migrationAppId(legacy), version: s.version, lastUpdated: target.now() } });
      if (routerTxn !== undefined && routerTxn > (now.txns.get(routerAppId(table)) ?? -1)) {
        actions.push({ type: "txn", txn: { appId: routerAppId(table), version: routerTxn, lastUpdated: target.now() } });
      }
      return actions;
    },
    { operation: "WRITE", operationParameters: { mode: "Append", migratedFrom: legacy, legacyVersion: s.version, files: files.length } },
  );
}

/** The new table's columns followed by the old table's it lacks; a type disagreement refuses the move. */
function widen(table: string, have: ColumnSpec[], add: ColumnSpec[]): ColumnSpec[] {
  const types = new Map(have.map((c) => [c.name, c.type]));
  const out = [...have];
  for (const c of add) {
    const t = types.get(c.name);
    if (t === undefined) out.push({ ...c, nullable: c.nullable || !PARTITION_COLUMNS.includes(c.name) });
    else if (t !== c.type) throw new CustomTableMigrationRefused(table, `column ${c.name} is ${t} there and ${c.type} in the old table`);
  }
  return out;
}

async function deleteTable(lake: Lake, name: string): Promise<void> {
  const storage = lake.tableStorage(name);
  const objects = (await storage.list("")).map((o) => o.key);
  const log = objects.filter((k) => k.startsWith("_delta_log/")).sort().reverse();
  for (const key of log) await storage.delete(key);
  for (const key of objects.filter((k) => !k.startsWith("_delta_log/"))) await storage.delete(key);
}
