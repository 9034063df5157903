/**
 * The quality role on a node: the QualityAuditor actor, its schedule, and the `quality` admin
 * command (`npm run admin -- quality`, the control page). With several quality nodes, the one
 * with the smallest node id among live members runs (scheduled and broadcast runs alike).
 */
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { Config } from "../../config/index.js";
import type { Database } from "../../db/database.js";
import { componentDatabase } from "./database.js";
import { listQualityReports } from "../../db/registry/operations.js";
import { Lake } from "../../lake/lake.js";
import type { NodeComponent, NodeContext } from "../component.js";
import type { ActorRef } from "../../runtime/actor/index.js";
import { auditorActor, auditorStatus, newAuditorMemory, type AuditorMessage, type AuditorReply } from "../../actors/quality/actor.js";
import { verifyLake, VERIFY_EVENT_SUBJECT } from "../../verify/verify-lake.js";
import type { VerifyReport } from "../../verify/types.js";
import { parseQualityArgs, parseVerifyArgs } from "../../quality/admin-args.js";
import { newReportId, QualityRunFailed, type AuditorDeps } from "../../quality/auditor.js";
import { DEFAULT_QUALITY_OPTIONS, loadRangeRules, type QualityOptions } from "../../quality/options.js";
import type { QualityRunReport } from "../../quality/types.js";
import type { NodeMetrics } from "../metrics.js";

export interface QualityComponentOptions {
  /** The node's metrics: runs, the last run's status and failing rows. */
  metrics?: NodeMetrics;
  lake?: Lake;
  /**
   * Where reports go. Default: a pool of its own when DATABASE_URL is set; with embedded PGlite
   * (one process per directory) pass the node's shared Database here, or reports are only
   * published and logged. A function is called once at start (e.g. `() => nodeDatabase.get()`).
   */
  db?: Database | (() => Promise<Database>) | null;
  /** Default 5 minutes; 0 disables the schedule. */
  scheduleEveryMs?: number;
  /** The admin reply waits this long for the run to finish, then answers "running" (the CLI waits 3 s). */
  replyWithinMs?: number;
  /** Range rules file. Default DATA_DIR/quality-rules.json (absent: none). */
  rulesPath?: string;
  options?: Partial<QualityOptions>;
  now?: () => number;
}

const RUN_TIMEOUT_MS = 30 * 60_000;

export function electedAuditor(ctx: Pick<NodeContext, "ownership">): string {
  const ids = ctx.ownership.members().filter((m) => m.roles.includes("quality")).map((m) => m.nodeId).sort();
  return ids[0] ?? ctx.ownership.nodeId;
}

export function qualityComponent(config: Config, opts: QualityComponentOptions = {}): NodeComponent {
  const scheduleEveryMs = opts.scheduleEveryMs ?? 5 * 60_000;
  const memory = newAuditorMemory();
  let ref: ActorRef<AuditorMessage, AuditorReply> | undefined;
  return {
    name: "quality",
    async start(ctx) {
      const now = opts.now ?? Date.now;
      const options: QualityOptions = { ...DEFAULT_QUALITY_OPTIONS, ...opts.options };
      options.rangeRules = [...options.rangeRules, ...loadRangeRules(opts.rulesPath ?? join(config.dataDir, "quality-rules.json"))];
      const db = await componentDatabase(config, opts.db, ctx.shutdown, "quality");
      if (!db) ctx.log.warn("no database for quality reports: they are published on events.quality.report and logged only");
      const lake =
        opts.lake ??
        Lake.open(config.lakeUri, {
          ...(config.s3.endpoint ? { endpoint: config.s3.endpoint } : {}),
          region: config.s3.region,
          forcePathStyle: config.s3.forcePathStyle,
          ...(config.s3.accessKeyId ? { credentials: { accessKeyId: config.s3.accessKeyId, secretAccessKey: config.s3.secretAccessKey } } : {}),
        });
      const encoder = new TextEncoder();
      // Aborted at shutdown: a run in flight (it may read a day of the lake and the log) ends at once.
      const cancel = new AbortController();
      const verify = async (sinceMs: number | null, signal: AbortSignal = cancel.signal): Promise<VerifyReport> => {
        const windows = { sizeMs: config.windowSizeMs, slideMs: config.windowSlideMs, allowedLatenessMs: config.allowedLatenessMs };
        const report = await verifyLake({ nc: ctx.nc, lake, sinceMs, windows, now, signal, ...(db ? { serving: { db } } : {}) });
        ctx.nc.publish(VERIFY_EVENT_SUBJECT, encoder.encode(JSON.stringify(report)));
        const t = report.totals;
        const line = `verify ${report.status}: ${t.logTrades} log trades, ${t.holes} holes, ${t.missingFromBronze} lost, ${t.extraInBronze} extra, ${t.duplicateIds} duplicate ids; ${t.barsExpected} windows, ${t.missingBars} missing, ${t.doubledBars} doubled, ${t.unexpectedBars} unexpected bars`;
        if (report.status === "PASSED") ctx.log.info(line);
        else ctx.log.error(line);
        return report;
      };
      const deps: AuditorDeps = {
        verify,
        lake,
        ...(db ? { db } : {}),
        publish: (subject, report) => ctx.nc.publish(subject, encoder.encode(JSON.stringify(report))),
        log: ctx.log,
        now,
        subscribed: () => config.symbols,
        options,
        signal: cancel.signal,
      };
      const elected = () => electedAuditor(ctx) === config.nodeId;
      const actor = ctx.system.spawn("quality", auditorActor({ deps, scheduleEveryMs, isElected: elected, memory }), { mailboxCapacity: 16 });
      ref = actor;
      opts.metrics?.watchQuality(memory);
      // Early, while the database and NATS are still open: the cancelled run is stored as such, and
      // nothing waits for it at "close: actor system" (a 24 s audit at 1,000 symbols did, then
      // failed on the closed database).
      ctx.shutdown.add("stop-intake", "quality audit (a run in flight is cancelled)", async (d) => {
        cancel.abort(new Error("the node is shutting down"));
        await ctx.system.stop("quality", { timeoutMs: d.timeoutMs });
      });

      ctx.admin.register("quality", async (args, request) => {
        const cmd = parseQualityArgs(args, now());
        switch (cmd.type) {
          case "status":
            return { ...auditorStatus(memory, scheduleEveryMs), elected: electedAuditor(ctx) };
          case "reports":
            if (!db) return { reports: [], note: "no database configured on this node" };
            return { reports: await listQualityReports(db, cmd.limit) };
          case "run": {
            const auditor = electedAuditor(ctx);
            if (auditor !== config.nodeId) return { skipped: true, runsOn: auditor };
            const reportId = newReportId(now());
            const done = actor.ask({ type: "run", request: { trigger: `admin:${request.caller}`, reportId, ...(cmd.sinceMs !== undefined ? { sinceMs: cmd.sinceMs } : {}) } }, { timeoutMs: RUN_TIMEOUT_MS });
            // The actor keeps going after our reply; nothing must be left unhandled.
            const settled = done.then(
              (r) => ({ state: "finished" as const, report: r as QualityRunReport }),
              (err: unknown) => ({ state: "failed" as const, report: err instanceof QualityRunFailed ? err.report : null, error: (err as Error).message }),
            );
            const within = await Promise.race([settled, delay(opts.replyWithinMs ?? 2_500, null, { ref: false })]);
            if (within === null) return { state: "running", reportId, note: "follow it in the control plane's live log; the report is published on events.quality.report" };
            if (within.state === "failed") throw new Error(within.error);
            return within.report;
          }
        }
      });
      // Reconciliation on demand (`npm run admin -- verify [--since 2h]`): the elected auditor answers.
      ctx.admin.register("verify", async (args) => {
        const { sinceMs } = parseVerifyArgs(args, now());
        const auditor = electedAuditor(ctx);
        if (auditor !== config.nodeId) return { skipped: true, runsOn: auditor };
        return verify(sinceMs);
      });
      ctx.log.info(`quality auditor started (schedule every ${scheduleEveryMs} ms, ${options.rangeRules.length} range rule(s))`);
    },
    status() {
      return { ...auditorStatus(memory, scheduleEveryMs), alive: ref?.isAlive ?? false };
    },
  };
}
