import { assertNever } from "../../runtime/assert-never.js";
import type { Queryable } from "../database.js";
import { testName, type DataTestSpec, type Severity } from "./data-test-spec.js";

export interface DataTestResult {
  model: string;
  name: string;
  kind: DataTestSpec["kind"];
  severity: Severity;
  status: "pass" | "fail" | "error" | "skipped";
  /** Offending rows (or 1 for a stale/empty table). */
  failures: number;
  message: string | undefined;
}

/** SQL returning one row `{ failures, newest }` for the test. */
export function dataTestSql(model: string, spec: DataTestSpec): string {
  switch (spec.kind) {
    case "not_null":
      return `SELECT count(*) AS failures FROM ${model} WHERE ${spec.column} IS NULL`;
    case "unique": {
      const cols = spec.columns.join(", ");
      return `SELECT count(*) AS failures FROM (SELECT ${cols} FROM ${model} GROUP BY ${cols} HAVING count(*) > 1) AS dup`;
    }
    case "accepted_range": {
      const bounds = [spec.min !== undefined ? `${spec.column} >= ${spec.min}` : undefined, spec.max !== undefined ? `${spec.column} <= ${spec.max}` : undefined].filter(Boolean);
      return `SELECT count(*) AS failures FROM ${model} WHERE NOT (${bounds.join(" AND ")})`;
    }
    case "expression":
      return `SELECT count(*) AS failures FROM ${model} WHERE NOT (${spec.condition})`;
    case "freshness":
      return `SELECT max(${spec.column})::double precision AS newest FROM ${model}`;
    default:
      return assertNever(spec, "test");
  }
}

function formatAge(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export async function runDataTest(q: Queryable, model: string, spec: DataTestSpec, nowMs: number): Promise<DataTestResult> {
  const base = { model, name: testName(spec), kind: spec.kind, severity: spec.severity };
  let row: { failures?: number; newest?: number | null } | undefined;
  try {
    row = (await q.query<{ failures?: number; newest?: number | null }>(dataTestSql(model, spec))).rows[0];
  } catch (err) {
    return { ...base, status: "error", failures: 0, message: (err as Error).message };
  }
  if (spec.kind === "freshness") {
    const newest = row?.newest ?? null;
    if (newest === null) return { ...base, status: "fail", failures: 1, message: `${model} is empty: no ${spec.column}` };
    const age = nowMs - newest;
    if (age > spec.maxAgeMs) return { ...base, status: "fail", failures: 1, message: `newest ${spec.column} is ${formatAge(age)} old (max ${formatAge(spec.maxAgeMs)})` };
    return { ...base, status: "pass", failures: 0, message: undefined };
  }
  const failures = row?.failures ?? 0;
  return failures === 0 ? { ...base, status: "pass", failures, message: undefined } : { ...base, status: "fail", failures, message: `${failures} row(s) fail ${base.name}` };
}
