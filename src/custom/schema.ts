/**
 * Schema inference and evolution for custom lake tables. Pure: a record becomes flat, typed
 * column values; a table's columns grow by nullable columns; a field whose type differs from
 * its column is a conflict (the record is dead-lettered, the table is never rewritten).
 */
import type { ColumnSpec, ColumnType } from "../lake/index.js";

/** Columns every custom table starts with; payload fields can never take these names. */
export const META_COLUMNS: readonly ColumnSpec[] = [
  { name: "source", type: "string", nullable: false },
  { name: "data_type", type: "string", nullable: false },
  { name: "date", type: "string", nullable: false },
  { name: "_seq", type: "long", nullable: false },
  { name: "_ingest_time", type: "timestamp", nullable: false },
  { name: "_event_time", type: "timestamp", nullable: true },
];
export const PARTITION_COLUMNS: readonly string[] = ["source", "data_type", "date"];
const META_NAMES = new Set(META_COLUMNS.map((c) => c.name));

/** The types inferred from JSON: every number is a double (so 1 then 1.5 is never a conflict). */
export type InferredType = Extract<ColumnType, "double" | "string" | "boolean">;

export interface FlatValue {
  type: InferredType;
  value: number | string | boolean;
}

export const MAX_DEPTH = 4;
export const MAX_COLUMNS = 500;

export type Flattened = { kind: "ok"; values: Map<string, FlatValue> } | { kind: "conflict"; column: string; message: string };

/**
 * Nested objects become `parent_child` columns (up to MAX_DEPTH levels, deeper ones and arrays
 * are kept as JSON text). Names are lower-cased with anything outside [a-z0-9_] turned into `_`
 * (Spark treats column names case-insensitively); a name that clashes with a meta column or
 * starts with `_` is prefixed `payload_`. Nulls are absent values, not columns.
 */
export function flattenRecord(fields: Record<string, unknown>): Flattened {
  const values = new Map<string, FlatValue>();
  const origin = new Map<string, string>();
  const visit = (obj: Record<string, unknown>, prefix: string, path: string, depth: number): Flattened | undefined => {
    for (const [key, v] of Object.entries(obj)) {
      if (v === null || v === undefined) continue;
      const name = prefix + key.toLowerCase().replace(/[^a-z0-9_]/g, "_");
      const fullPath = path ? `${path}.${key}` : key;
      if (typeof v === "object" && !Array.isArray(v) && depth < MAX_DEPTH) {
        const r = visit(v as Record<string, unknown>, `${name}_`, fullPath, depth + 1);
        if (r) return r;
        continue;
      }
      const column = columnName(name);
      const seen = origin.get(column);
      if (seen !== undefined) return { kind: "conflict", column, message: `fields "${seen}" and "${fullPath}" both map to column ${column}` };
      origin.set(column, fullPath);
      values.set(column, flatValue(v));
    }
    return undefined;
  };
  return visit(fields, "", "", 1) ?? { kind: "ok", values };
}

function columnName(name: string): string {
  return META_NAMES.has(name) || name.startsWith("_") || name === "" ? `payload_${name}` : name;
}

function flatValue(v: unknown): FlatValue {
  if (typeof v === "number") return Number.isFinite(v) ? { type: "double", value: v } : { type: "string", value: String(v) };
  if (typeof v === "boolean") return { type: "boolean", value: v };
  if (typeof v === "string") return { type: "string", value: v };
  return { type: "string", value: JSON.stringify(v) };
}

export type Evolution = { kind: "ok"; added: ColumnSpec[] } | { kind: "conflict"; column: string; message: string };

/** Checks a flattened record against the columns; new fields become nullable columns (not yet applied). */
export function evolve(columns: ReadonlyMap<string, ColumnType>, values: ReadonlyMap<string, FlatValue>): Evolution {
  const added: ColumnSpec[] = [];
  for (const [name, v] of values) {
    const existing = columns.get(name);
    if (existing === undefined) added.push({ name, type: v.type, nullable: true });
    else if (existing !== v.type) return { kind: "conflict", column: name, message: `column ${name} is ${existing}, the record has a ${v.type} (${JSON.stringify(v.value).slice(0, 80)})` };
  }
  if (added.length > 0 && columns.size + added.length > MAX_COLUMNS) {
    return { kind: "conflict", column: added[0]!.name, message: `the table would exceed ${MAX_COLUMNS} columns` };
  }
  return { kind: "ok", added };
}
