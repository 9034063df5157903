/** The one line a node prints when its shutdown is over. Pure: report and figures in, text out. */
import type { ShutdownFigures } from "./shutdown-ledger.js";
import type { ShutdownReport, StepResult } from "./shutdown.js";

export const SUMMARY_PREFIX = "shutdown summary:";

/** 1 when any step failed or had to be abandoned, else 0. */
export function shutdownExitCode(report: ShutdownReport): number {
  return report.steps.some((s) => s.error !== undefined) ? 1 : 0;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function counts(record: Record<string, number | "unknown"> | undefined): string {
  const entries = Object.entries(record ?? {});
  return entries.length === 0 ? "nothing" : entries.map(([k, v]) => `${k} ${v}`).join(", ");
}

function leftInLog(record: ShutdownFigures["leftInLog"]): string {
  const entries = Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }));
  if (entries.length === 0) return "no durable consumer here";
  const shown: string[] = [];
  let empty = 0;
  let unknown = 0;
  for (const [name, r] of entries) {
    if (r === "unknown") unknown++;
    else if (r.localOnly) shown.push(`${name} ≥${r.unacked} unacked (counted here; NATS unreachable)`);
    else if (r.unacked === 0 && !r.undelivered) empty++;
    else shown.push(`${name} ${r.unacked} unacked + ${r.undelivered ?? 0} undelivered`);
  }
  if (empty > 0) shown.push(`${empty} consumer(s) with nothing left`);
  if (unknown > 0) shown.push(`${unknown} consumer(s) not counted (NATS unreachable; their backlog stays in the log)`);
  return shown.join(", ");
}

export function formatShutdownSummary(report: ShutdownReport, figures: ShutdownFigures): string {
  const name = (s: StepResult) => `${s.phase}/${s.name}`;
  const abandoned = report.steps.filter((s) => s.abandoned);
  const failed = report.steps.filter((s) => s.error !== undefined && !s.abandoned);
  const outcome = [abandoned.length > 0 ? `abandoned: ${abandoned.map(name).join(", ")}` : "", failed.length > 0 ? `failed: ${failed.map(name).join(", ")}` : ""].filter(Boolean);
  return [
    `${SUMMARY_PREFIX} exit ${shutdownExitCode(report)} after ${seconds(report.ms)} of the ${seconds(report.totalMs)} bound; ${outcome.length > 0 ? outcome.join("; ") : "clean"}`,
    `flushed: ${counts(figures.flushed)}`,
    `spooled to disk: ${counts(figures.spooled)}`,
    `left in the log for the next owner: ${leftInLog(figures.leftInLog)}`,
  ].join(" | ");
}
