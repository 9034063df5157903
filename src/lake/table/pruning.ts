import { parseStats, type AddFile } from "../delta/actions.js";
import { parsePartitionValue, type ColumnSpec } from "../delta/schema.js";

/** One condition on a column; a filter is a conjunction of them. */
export type Predicate =
  | { column: string; op: "=" | "<" | "<=" | ">" | ">="; value: string | number | boolean }
  | { column: string; op: "in"; values: (string | number | boolean)[] };

function cmp(a: unknown, b: unknown): number {
  return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
}

/** Does a single value satisfy the predicate? */
export function matches(p: Predicate, v: unknown): boolean {
  if (v === null || v === undefined) return false;
  switch (p.op) {
    case "=":
      return cmp(v, p.value) === 0;
    case "<":
      return cmp(v, p.value) < 0;
    case "<=":
      return cmp(v, p.value) <= 0;
    case ">":
      return cmp(v, p.value) > 0;
    case ">=":
      return cmp(v, p.value) >= 0;
    case "in":
      return p.values.some((x) => cmp(v, x) === 0);
  }
}

/** Could any value in [min, max] satisfy the predicate? (false means: skip the file) */
function rangeMayMatch(p: Predicate, min: unknown, max: unknown): boolean {
  switch (p.op) {
    case "=":
      return cmp(min, p.value) <= 0 && cmp(max, p.value) >= 0;
    case "<":
      return cmp(min, p.value) < 0;
    case "<=":
      return cmp(min, p.value) <= 0;
    case ">":
      return cmp(max, p.value) > 0;
    case ">=":
      return cmp(max, p.value) >= 0;
    case "in":
      return p.values.some((x) => cmp(min, x) <= 0 && cmp(max, x) >= 0);
  }
}

/** Stats hold timestamps as ISO strings; predicates on them use ms numbers. */
function statToValue(c: ColumnSpec, v: unknown): unknown {
  return c.type === "timestamp" && typeof v === "string" ? Date.parse(v) : v;
}

/**
 * Keeps the files that may hold matching rows: partition values decide exactly, column stats
 * (min/max/nullCount) rule files out; a file without stats is always kept.
 */
export function pruneFiles(files: Iterable<AddFile>, columns: ColumnSpec[], partitionColumns: string[], filter: Predicate[]): AddFile[] {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const out: AddFile[] = [];
  for (const f of files) {
    let keep = true;
    const stats = filter.some((p) => !partitionColumns.includes(p.column)) ? parseStats(f) : undefined;
    for (const p of filter) {
      const col = byName.get(p.column);
      if (!col) continue;
      if (partitionColumns.includes(p.column)) {
        keep = matches(p, parsePartitionValue(col.type, f.partitionValues[p.column]));
      } else if (stats && stats.numRecords >= 0) {
        if (stats.nullCount[p.column] === stats.numRecords) keep = false;
        else if (p.column in stats.minValues && p.column in stats.maxValues) {
          keep = rangeMayMatch(p, statToValue(col, stats.minValues[p.column]), statToValue(col, stats.maxValues[p.column]));
        }
      }
      if (!keep) break;
    }
    if (keep) out.push(f);
  }
  return out;
}
