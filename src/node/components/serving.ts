/**
 * The `serving` role: a supervised ServingWriter actor upserting silver bars and 1m candles from the
 * log into the database (acks only after the write; replays are harmless), and the TransformActor
 * running the gold models every minute (admin `transform [--full-refresh]`). Admin `replay
 * --from-seq N | --from-time <ISO|2h>` rebuilds the serving tables from that log position.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { restartForever } from "../../runtime/actor/index.js";
import type { ActorRef } from "../../runtime/actor/types.js";
import { dlqSubject, eventSubject } from "../../runtime/nats/spec.js";
import { ServingWriter } from "../../db/serving/writer.js";
import { runServingConsumer, SERVING_STREAMS } from "../../db/serving/consumer.js";
import { InvalidReplayPosition, parseReplayFrom, resetServingConsumers } from "../../db/serving/replay.js";
import { AdminBadRequest } from "../../admin/service.js";
import { loopActor } from "../../actors/loop/actor.js";
import { transformActor, type TransformMessage, type TransformSummary } from "../../actors/transform/actor.js";
import type { NodeComponent } from "../component.js";
import type { NodeDatabase } from "./database.js";
import type { NodeMetrics } from "../metrics.js";

export function servingComponent(database: NodeDatabase, options: { transformEveryMs?: number; metrics?: NodeMetrics } = {}): NodeComponent {
  let transform: ActorRef<TransformMessage, TransformSummary | undefined> | undefined;
  let last: TransformSummary | undefined;
  let writer: ServingWriter | undefined;
  const counts = { written: 0, rejected: 0, failedBatches: 0 };
  return {
    name: "serving",
    async start(ctx) {
      const db = await database.get();
      const js = jetstream(ctx.nc);
      writer = new ServingWriter(db);
      const spawnWriter = () => ctx.system.spawn(
        "serving-writer",
        loopActor((signal) =>
          runServingConsumer(js, {
            writer: writer!,
            signal,
            onEvent: (event) => {
              if (event.type === "written") {
                counts.written += event.rows;
                options.metrics?.servingRowsWritten.inc(event.rows);
              } else if (event.type === "rejected") {
                counts.rejected++;
                options.metrics?.servingFailures.inc({ kind: "rejected" });
                ctx.nc.publish(dlqSubject("serving-rejected"), new TextEncoder().encode(JSON.stringify(event)));
              } else {
                counts.failedBatches++;
                options.metrics?.servingFailures.inc({ kind: "failed_batch" });
              }
            },
          }),
        ),
        { supervisor: restartForever },
      );
      spawnWriter();
      ctx.admin.register("replay", async (args) => {
        let from;
        try {
          from = parseReplayFrom(args, Date.now());
        } catch (err) {
          throw err instanceof InvalidReplayPosition ? new AdminBadRequest(err.message) : err;
        }
        // The durable consumer is shared by every serving node: one of them (the live serving
        // member with the smallest id) resets it; the others' writers simply fetch from the new one.
        const handledBy = replayNode(ctx.ownership.members());
        if (handledBy !== ctx.config.nodeId) return { skipped: true, handledBy };
        await ctx.system.stop("serving-writer", { timeoutMs: 10_000 });
        const streams = await resetServingConsumers(await jetstreamManager(ctx.nc), from);
        spawnWriter();
        return { replayingFrom: "seq" in from ? { seq: from.seq } : { time: from.time.toISOString() }, streams };
      });
      transform = ctx.system.spawn(
        "transform",
        transformActor(db, {
          everyMs: options.transformEveryMs ?? 60_000,
          onReport: (s) => {
            last = s;
            ctx.nc.publish(eventSubject("gold", "transform"), new TextEncoder().encode(JSON.stringify(s)));
          },
        }),
      );
      ctx.admin.register("transform", (args) => transform!.ask({ type: "run", ...(args.includes("--full-refresh") ? { fullRefresh: true } : {}) }, { timeoutMs: 300_000 }));
      ctx.shutdown.add("flush", "serving writer (unfinished batch stays in the log)", (d) => ctx.system.stop("serving-writer", { timeoutMs: d.timeoutMs }));
      ctx.ledger?.account("serving", () => {
        const before = counts.written;
        return {
          durables: Object.values(SERVING_STREAMS).map(({ stream }) => ({ stream, durable: "serving" })),
          figures: () => ({ flushed: { "serving rows written while stopping": counts.written - before } }),
        };
      });
    },
    status: () => ({ ...counts, writer: writer?.status(), lastTransform: last ? { runId: last.runId, status: last.status, tests: last.tests } : null }),
  };
}

/**
 * The serving node that runs an admin replay: the smallest id among live members with the serving
 * role (partition 0 cannot say: partitions only go to market and lake nodes). Two nodes that
 * briefly disagree both reset the consumer to the same position, which is harmless.
 */
export function replayNode(members: readonly { nodeId: string; roles: readonly string[] }[]): string | null {
  const ids = members.filter((m) => m.roles.includes("serving")).map((m) => m.nodeId).sort();
  return ids[0] ?? null;
}
