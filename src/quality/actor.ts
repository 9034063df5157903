/**
 * QualityAuditor: one supervised actor per quality node. It serialises runs (one at a time, in
 * request order), fires the schedule from an actor timer (so the timer dies with it and restarts
 * with it), and remembers the last report for `status`. A run that breaks fails the message: the
 * parent's strategy restarts the actor with backoff and the schedule carries on.
 */
import type { Actor, ActorFactory } from "../runtime/actor/index.js";
import { runAudit, type AuditorDeps, type AuditRequest } from "./auditor.js";
import type { QualityRunReport } from "./types.js";

export type AuditorMessage =
  | { type: "run"; request: AuditRequest }
  /** Timer: a scheduled run, if this node is the elected auditor. */
  | { type: "scheduled" }
  | { type: "status" };

export interface AuditorStatus {
  running: string | null;
  runs: number;
  lastReport: Pick<QualityRunReport, "reportId" | "status" | "trigger" | "startedAt" | "finishedAt" | "rowsChecked" | "rowsFailed" | "quarantined"> | null;
  scheduleEveryMs: number;
  nextScheduledAt: number | null;
}

export interface AuditorMemory {
  last: QualityRunReport | null;
  runs: number;
  running: string | null;
  nextAt: number | null;
}

export function newAuditorMemory(): AuditorMemory {
  return { last: null, runs: 0, running: null, nextAt: null };
}

/** Plain status from the shared memory. */
export function auditorStatus(memory: AuditorMemory, scheduleEveryMs: number): AuditorStatus {
  const l = memory.last;
  return {
    running: memory.running,
    runs: memory.runs,
    lastReport: l && { reportId: l.reportId, status: l.status, trigger: l.trigger, startedAt: l.startedAt, finishedAt: l.finishedAt, rowsChecked: l.rowsChecked, rowsFailed: l.rowsFailed, quarantined: l.quarantined },
    scheduleEveryMs,
    nextScheduledAt: memory.nextAt,
  };
}

export type AuditorReply = QualityRunReport | AuditorStatus | null;

export interface AuditorActorOptions {
  deps: AuditorDeps;
  /** 0 disables the schedule. */
  scheduleEveryMs: number;
  /** Only the elected node runs scheduled audits (several nodes may have the quality role). */
  isElected: () => boolean;
  /** Shared with the owner and kept across restarts: readable without a message while a run is in flight. */
  memory?: AuditorMemory;
}

function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}

export function auditorActor(options: AuditorActorOptions): ActorFactory<AuditorMessage, AuditorReply> {
  const memory = options.memory ?? newAuditorMemory();
  return (): Actor<AuditorMessage, AuditorReply> => {
    const run = async (request: AuditRequest): Promise<QualityRunReport> => {
      memory.running = request.reportId ?? request.trigger;
      try {
        const report = await runAudit(options.deps, request);
        memory.last = report;
        return report;
      } finally {
        memory.runs++;
        memory.running = null;
      }
    };
    return {
      preStart(ctx) {
        if (options.scheduleEveryMs > 0) {
          ctx.timers.startPeriodic("schedule", { type: "scheduled" }, options.scheduleEveryMs);
          memory.nextAt = ctx.clock.now() + options.scheduleEveryMs;
        }
      },
      async receive(msg, ctx) {
        switch (msg.type) {
          case "run":
            return run(msg.request);
          case "scheduled":
            memory.nextAt = ctx.clock.now() + options.scheduleEveryMs;
            if (!options.isElected()) return null;
            return run({ trigger: "schedule" });
          case "status":
            return auditorStatus(memory, options.scheduleEveryMs);
          default:
            return assertNever(msg);
        }
      },
    };
  };
}
