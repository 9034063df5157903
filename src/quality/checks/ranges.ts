/** Configurable range rules over any lake table's rows (custom sources included). */
import { createHash } from "node:crypto";
import type { RangeRule } from "../options.js";
import type { CheckResult, RowRef, Violation } from "../types.js";
import { checkResult } from "./result.js";

export function ruleName(r: RangeRule): string {
  return r.name ?? `${r.table}.${r.column}`;
}

/** Row key of a generic row: a content hash (custom tables have no common key column). */
export function contentKey(row: Record<string, unknown>): string {
  const json = JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  return "h:" + createHash("sha256").update(json).digest("hex").slice(0, 32);
}

export interface RangeRowKeying {
  key(row: Record<string, unknown>): string;
  symbol(row: Record<string, unknown>): string;
  eventTime(row: Record<string, unknown>): number | null;
  logSeq(row: Record<string, unknown>): number | null;
}

export const genericKeying: RangeRowKeying = {
  key: contentKey,
  symbol: (r) => String(r.symbol ?? r.source ?? ""),
  eventTime: (r) => {
    for (const c of ["window_end", "trade_time", "timestamp", "event_time"]) if (typeof r[c] === "number") return r[c] as number;
    return null;
  },
  logSeq: (r) => (typeof r.log_seq === "number" ? r.log_seq : null),
};

export function checkRange(rule: RangeRule, rows: readonly Record<string, unknown>[], keying: RangeRowKeying, sampleLimit: number): CheckResult {
  const out: Violation[] = [];
  let checked = 0;
  for (const row of rows) {
    const symbol = keying.symbol(row);
    if (rule.symbols && !rule.symbols.includes(symbol)) continue;
    const raw = row[rule.column];
    if (raw === null || raw === undefined) continue; // nullability is the schema's business
    checked++;
    const v = typeof raw === "bigint" ? Number(raw) : raw;
    const below = rule.min !== undefined && !(typeof v === "number" && v >= rule.min);
    const above = rule.max !== undefined && !(typeof v === "number" && v <= rule.max);
    if (!below && !above) continue;
    const ref: RowRef = { table: rule.table, symbol, key: keying.key(row), eventTime: keying.eventTime(row), logSeq: keying.logSeq(row), row };
    const bounds = `[${rule.min ?? "-∞"}, ${rule.max ?? "+∞"}]`;
    out.push({ check: "range", rule: `range:${ruleName(rule)}`, ref, detail: `${rule.column} = ${String(raw)} outside ${bounds}`, quarantine: (rule.severity ?? "error") === "error" });
  }
  return checkResult("range", rule.table, checked, out, { sampleLimit, name: ruleName(rule), onViolation: rule.severity === "warn" ? "WARN" : "FAILED" });
}
