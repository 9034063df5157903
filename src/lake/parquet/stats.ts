import type { FileStats } from "../delta/actions.js";
import type { ColumnSpec } from "../delta/schema.js";
import type { ColumnarBatch } from "./encode.js";

/** Longer strings get no min/max: a truncated max would be wrong for pruning. */
const MAX_STAT_STRING = 32;

function statValue(c: ColumnSpec, v: unknown): unknown {
  // Delta writes timestamp stats as ISO-8601 strings (ms precision is what we hold).
  if (c.type === "timestamp") return new Date(Number(v)).toISOString();
  return typeof v === "bigint" ? Number(v) : v;
}

/** Delta `add.stats` for one file: numRecords plus min/max/nullCount of every data column. */
export function computeStats(columns: ColumnSpec[], batch: ColumnarBatch): FileStats {
  const stats: FileStats = { numRecords: batch.numRows, minValues: {}, maxValues: {}, nullCount: {} };
  for (const c of columns) {
    const values = batch.columns.get(c.name);
    if (!values) continue;
    let nulls = 0;
    let min: unknown;
    let max: unknown;
    const comparable = c.type !== "boolean" && c.type !== "binary";
    for (let i = 0; i < batch.numRows; i++) {
      const v = values[i];
      if (v === null || v === undefined || (typeof v === "number" && Number.isNaN(v))) {
        if (v === null || v === undefined) nulls++;
        continue;
      }
      if (!comparable) continue;
      if (min === undefined || (v as number) < (min as number)) min = v;
      if (max === undefined || (v as number) > (max as number)) max = v;
    }
    stats.nullCount[c.name] = nulls;
    const tooLong = c.type === "string" && (String(min).length > MAX_STAT_STRING || String(max).length > MAX_STAT_STRING);
    if (min !== undefined && !tooLong) {
      stats.minValues[c.name] = statValue(c, min);
      stats.maxValues[c.name] = statValue(c, max);
    }
  }
  return stats;
}
