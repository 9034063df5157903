import type { CheckName, CheckResult, CheckStatus, Violation } from "../types.js";

/** A check's result from its violations: any violation gives `onViolation` (FAILED or WARN). */
export function checkResult(
  check: CheckName,
  table: string,
  checked: number,
  violations: Violation[],
  options: { sampleLimit: number; onViolation?: CheckStatus; name?: string; failedRows?: number; note?: string },
): CheckResult {
  const failed = options.failedRows ?? new Set(violations.map((v) => `${v.ref.table}|${v.ref.key}`)).size;
  return {
    check,
    name: options.name ?? check,
    table,
    status: violations.length === 0 ? "PASSED" : (options.onViolation ?? "FAILED"),
    checked,
    failed,
    samples: violations.slice(0, options.sampleLimit),
    violations,
    ...(options.note ? { note: options.note } : {}),
  };
}

export function isPositiveFinite(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v > 0;
}

export function fmtTime(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
