/**
 * What custom data the lake holds, for the dashboard's Custom data page and the CLI: every
 * `custom.<source>.<type>` table (and any legacy `custom_…` one not migrated yet) with its version, columns, partitions and row count (from the
 * files' stats, no data read).
 */
import { DeltaTable, type ColumnSpec, type Lake } from "../lake/index.js";
import { parseStats } from "../lake/delta/actions.js";
import { isLegacyCustomTableName, parseCustomTableName } from "./names.js";

export interface CustomTableInfo {
  name: string;
  version: number;
  /** Commit time of the current version (ms). */
  updatedAt: number | null;
  columns: ColumnSpec[];
  files: number;
  rows: number;
  /** Distinct partition values seen: sources, data types, dates. */
  sources: string[];
  dataTypes: string[];
  dates: string[];
}

export async function describeCustomTables(lake: Lake): Promise<CustomTableInfo[]> {
  const names = (await lake.tables()).filter((n) => parseCustomTableName(n) !== undefined || isLegacyCustomTableName(n));
  return Promise.all(names.map((n) => describeCustomTable(lake.table(n), n)));
}

export async function describeCustomTable(table: DeltaTable, name: string): Promise<CustomTableInfo> {
  const s = await table.snapshot();
  const sources = new Set<string>();
  const types = new Set<string>();
  const dates = new Set<string>();
  let rows = 0;
  for (const f of s.files.values()) {
    rows += Math.max(0, parseStats(f)?.numRecords ?? 0);
    if (f.partitionValues.source) sources.add(f.partitionValues.source);
    if (f.partitionValues.data_type) types.add(f.partitionValues.data_type);
    if (f.partitionValues.date) dates.add(f.partitionValues.date);
  }
  return {
    name,
    version: s.version,
    updatedAt: s.timestamp || null,
    columns: DeltaTable.schemaOf(s).columns,
    files: s.files.size,
    rows,
    sources: [...sources].sort(),
    dataTypes: [...types].sort(),
    dates: [...dates].sort(),
  };
}
