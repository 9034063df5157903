/**
 * The data page's view of the lake: every table (custom sources included) with its row count,
 * size, partitions and the sources / data types it holds; a table's schema history (every
 * metaData change in its Delta log); and its latest rows.
 */
import type { Lake } from "../lake/lake.js";
import { DeltaTable } from "../lake/table/table.js";
import { parseStats } from "../lake/delta/actions.js";
import { parseSchemaString, type ColumnSpec } from "../lake/delta/schema.js";
import { readEvolvedFile } from "../lake/table/evolved-read.js";

export interface TableSummary {
  name: string;
  kind: "bronze" | "silver" | "quarantine" | "custom";
  description: string | null;
  version: number;
  updatedAt: number;
  rows: number;
  files: number;
  bytes: number;
  partitionColumns: string[];
  columns: ColumnSpec[];
  /** Rows per value of the `source` and `data_type` partition columns, when the table has them. */
  sources: { source: string; dataType: string | null; rows: number }[];
}

export interface SchemaVersion {
  version: number;
  timestamp: number;
  operation: string | null;
  columns: ColumnSpec[];
  partitionColumns: string[];
  /** Columns added and removed against the previous schema version. */
  added: string[];
  removed: string[];
}

function kindOf(name: string): TableSummary["kind"] {
  if (name === "quarantine") return "quarantine";
  if (name === "bronze_trades") return "bronze";
  if (name.startsWith("silver")) return "silver";
  return "custom";
}

export async function summarizeTable(lake: Lake, name: string): Promise<TableSummary> {
  const table = lake.table(name);
  const s = await table.snapshot();
  let rows = 0;
  let bytes = 0;
  const bySource = new Map<string, { source: string; dataType: string | null; rows: number }>();
  for (const f of s.files.values()) {
    const n = Math.max(0, parseStats(f)?.numRecords ?? 0);
    rows += n;
    bytes += f.size;
    const source = f.partitionValues.source;
    if (source !== undefined && source !== null) {
      const dataType = f.partitionValues.data_type ?? null;
      const k = `${source}\u0000${dataType}`;
      const g = bySource.get(k) ?? { source, dataType, rows: 0 };
      g.rows += n;
      bySource.set(k, g);
    }
  }
  return {
    name,
    kind: kindOf(name),
    description: s.metadata.description ?? null,
    version: s.version,
    updatedAt: s.timestamp,
    rows,
    files: s.files.size,
    bytes,
    partitionColumns: s.metadata.partitionColumns,
    columns: parseSchemaString(s.metadata.schemaString),
    sources: [...bySource.values()].sort((a, b) => a.source.localeCompare(b.source) || String(a.dataType).localeCompare(String(b.dataType))),
  };
}

export async function listTables(lake: Lake): Promise<TableSummary[]> {
  const names = await lake.tables();
  return Promise.all(names.map((n) => summarizeTable(lake, n)));
}

/** Every version whose commit changed the schema (newest first), from the last `scanVersions` commits. */
export async function schemaHistory(table: DeltaTable, scanVersions = 500): Promise<SchemaVersion[]> {
  const history = await table.history(scanVersions);
  const found: Omit<SchemaVersion, "added" | "removed">[] = [];
  for (const h of [...history].sort((a, b) => a.version - b.version)) {
    const actions = (await table.log.readCommit(h.version)) ?? [];
    for (const a of actions) {
      if (a.type !== "metaData") continue;
      found.push({ version: h.version, timestamp: h.timestamp, operation: h.operation ?? null, columns: parseSchemaString(a.metaData.schemaString), partitionColumns: a.metaData.partitionColumns });
    }
  }
  const out: SchemaVersion[] = found.map((v, i) => {
    const before = new Set((found[i - 1]?.columns ?? []).map((c) => c.name));
    const now = new Set(v.columns.map((c) => c.name));
    return { ...v, added: i === 0 ? [] : [...now].filter((c) => !before.has(c)), removed: [...before].filter((c) => !now.has(c)) };
  });
  return out.reverse();
}

/** The newest rows: files newest first (by modification time) until `limit` rows. */
export async function latestRows(table: DeltaTable, limit = 20): Promise<Record<string, unknown>[]> {
  const s = await table.snapshot();
  const files = [...s.files.values()].sort((a, b) => b.modificationTime - a.modificationTime);
  const out: Record<string, unknown>[] = [];
  for (const f of files) {
    const rows = await readEvolvedFile(table, s, f);
    for (let i = rows.length - 1; i >= 0 && out.length < limit; i--) out.push(rows[i]!);
    if (out.length >= limit) break;
  }
  return out.map(jsonSafe);
}

/** bigint → number (or string beyond 2^53), Date → ISO, Uint8Array → base64: what tRPC can send. */
export function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === "bigint") out[k] = v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
    else if (v instanceof Date) out[k] = v.toISOString();
    else if (v instanceof Uint8Array) out[k] = Buffer.from(v).toString("base64");
    else if (typeof v === "number" && !Number.isFinite(v)) out[k] = String(v);
    else out[k] = v;
  }
  return out;
}
