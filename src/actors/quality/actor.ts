/**
 * QualityAuditor: one supervised actor per quality node. It serialises runs (one at a time, in
 * request order), fires the schedule from an actor timer (so the timer dies with it and restarts
 * with it), and remembers the last report for `status`. A run that breaks fails the message: the
 * parent's strategy restarts the actor with backoff and the schedule carries on.
 */
import type { Actor, ActorFactory } from "../../runtime/actor/index.js";
import { DEFAULT_LOOKBACK_MS, runAudit, type AuditorDeps, type AuditRequest } from "../../quality/auditor.js";
import type { QualityRunReport } from "../../quality/types.js";
import { assertNever } from "../../runtime/assert-never.js";

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
  /** Start of the last scheduled run that finished (its `now`), for the next incremental range. */
  lastScheduledAt: number | null;
}

export function newAuditorMemory(): AuditorMemory {
  return { last: null, runs: 0, running: null, nextAt: null, lastScheduledAt: null };
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

/** How far back a scheduled run looks again before the previous scheduled run (duplicates and gaps across the boundary). */
export const SCHEDULE_OVERLAP_MS = 10 * 60_000;

/**
 * Scheduled runs are incremental: from the previous scheduled run's start minus an overlap (never
 * more than the default lookback), so a busy lake is not re-read in full every few minutes.
 * The first scheduled run after a start uses the default lookback.
 */
export function scheduledSince(memory: Pick<AuditorMemory, "lastScheduledAt">, now: number, o: { scheduleOverlapMs?: number; lookbackMs?: number }): number {
  const lookback = now - (o.lookbackMs ?? DEFAULT_LOOKBACK_MS);
  if (memory.lastScheduledAt === null) return lookback;
  return Math.max(lookback, memory.lastScheduledAt - (o.scheduleOverlapMs ?? SCHEDULE_OVERLAP_MS));
}

export interface AuditorActorOptions {
  deps: AuditorDeps;
  /** 0 disables the schedule. */
  scheduleEveryMs: number;
  /** Only the elected node runs scheduled audits (several nodes may have the quality role). */
  isElected: () => boolean;
  /** Default SCHEDULE_OVERLAP_MS. */
  scheduleOverlapMs?: number;
  /** Longest range a scheduled run audits. Default DEFAULT_LOOKBACK_MS (24 h). */
  lookbackMs?: number;
  /** Shared with the owner and kept across restarts: readable without a message while a run is in flight. */
  memory?: AuditorMemory;
}

export function auditorActor(options: AuditorActorOptions): ActorFactory<AuditorMessage, AuditorReply> {
  const memory = options.memory ?? newAuditorMemory();
  return (): Actor<AuditorMessage, AuditorReply> => {
    const run = async (request: AuditRequest): Promise<QualityRunReport> => {
      memory.running = request.reportId ?? request.trigger;
      try {
        const report = await runAudit(options.deps, request);
        memory.last = report;
        if (request.trigger === "schedule") memory.lastScheduledAt = report.startedAt;
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
            return run({ trigger: "schedule", sinceMs: scheduledSince(memory, ctx.clock.now(), options) });
          case "status":
            return auditorStatus(memory, options.scheduleEveryMs);
          default:
            return assertNever(msg, "message");
        }
      },
    };
  };
}
