/**
 * The `serving` role: a supervised ServingWriter actor upserting silver bars and 1m candles from the
 * log into the database (acks only after the write; replays are harmless), and the TransformActor
 * running the gold models every TRANSFORM_EVERY (admin `transform [--full-refresh]`).
 */
import { jetstream } from "@nats-io/jetstream";
import { oneForOne } from "../../runtime/actor/index.js";
import type { ActorRef } from "../../runtime/actor/types.js";
import { ServingWriter } from "../../db/serving/writer.js";
import { runServingConsumer } from "../../db/serving/consumer.js";
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
      const forever = oneForOne({ maxRestarts: 1_000_000, withinMs: 60_000, backoff: { minMs: 500, maxMs: 30_000 } });
      ctx.system.spawn(
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
                ctx.nc.publish("dlq.serving-rejected", new TextEncoder().encode(JSON.stringify(event)));
              } else {
                counts.failedBatches++;
                options.metrics?.servingFailures.inc({ kind: "failed_batch" });
              }
            },
          }),
        ),
        { supervisor: forever },
      );
      transform = ctx.system.spawn(
        "transform",
        transformActor(db, {
          everyMs: options.transformEveryMs ?? 60_000,
          onReport: (s) => {
            last = s;
            ctx.nc.publish("events.gold.transform", new TextEncoder().encode(JSON.stringify(s)));
          },
        }),
      );
      ctx.admin.register("transform", (args) => transform!.ask({ type: "run", ...(args.includes("--full-refresh") ? { fullRefresh: true } : {}) }, { timeoutMs: 300_000 }));
      ctx.shutdown.add("flush", "serving writer (unfinished batch stays in the log)", () => ctx.system.stop("serving-writer", { timeoutMs: 10_000 }));
    },
    status: () => ({ ...counts, writer: writer?.status(), lastTransform: last ? { runId: last.runId, status: last.status, tests: last.tests } : null }),
  };
}
