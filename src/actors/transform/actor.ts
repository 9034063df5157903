/**
 * The TransformActor runs the gold SQL models and their data tests: on a schedule and on demand
 * (admin `transform`). Being an actor, runs never overlap on a node; across nodes the runner
 * serialises builds per schema itself.
 */
import type { Actor } from "../../runtime/actor/types.js";
import type { Database } from "../../db/database.js";
import { runTransform, type TransformReport } from "../../db/gold/transform.js";

export type TransformMessage = { type: "run"; fullRefresh?: boolean; select?: string[] } | { type: "scheduled" } | { type: "last" };

export interface TransformSummary {
  runId: string;
  status: string;
  models: { model: string; status: string; rows: number | undefined; ms: number }[];
  tests: { passed: number; failed: number; failures: string[] };
}

function summarize(report: TransformReport): TransformSummary {
  const failures = report.tests.filter((t) => t.status !== "pass").map((t) => `${t.model}.${t.name}: ${t.message ?? t.status}`);
  return {
    runId: report.runId,
    status: report.status,
    models: report.models.map((m) => ({ model: m.model, status: m.status, rows: m.rows, ms: Math.round(m.durationMs) })),
    tests: { passed: report.tests.length - failures.length, failed: failures.length, failures },
  };
}

export function transformActor(db: Database, options: { everyMs: number; onReport?: (s: TransformSummary) => void }): () => Actor<TransformMessage, TransformSummary | undefined> {
  return () => {
    let last: TransformSummary | undefined;
    const run = async (opts: { fullRefresh?: boolean; select?: string[] }) => {
      last = summarize(await runTransform(db, opts));
      options.onReport?.(last);
      return last;
    };
    return {
      preStart(ctx) {
        if (options.everyMs > 0) ctx.timers.startPeriodic("schedule", { type: "scheduled" }, options.everyMs);
      },
      receive(message) {
        switch (message.type) {
          case "run":
            return run({ ...(message.fullRefresh ? { fullRefresh: true } : {}), ...(message.select ? { select: message.select } : {}) });
          case "scheduled":
            return run({});
          case "last":
            return last;
        }
      },
    };
  };
}
