/**
 * The `ingest` role: a supervised IngestActor reading Binance (or the market simulator) for the
 * configured symbols into the TRADES log. Admin: `ingest-status`, `subscribe`, `unsubscribe`,
 * `pause`, `resume`.
 */
import { join } from "node:path";
import type { ActorRef } from "../../runtime/actor/types.js";
import { oneForOne } from "../../runtime/actor/index.js";
import { ingestActor } from "../../actors/ingest/actor.js";
import type { IngestMessage } from "../../actors/ingest/messages.js";
import { AdminBadRequest } from "../../admin/service.js";
import type { PublisherStatus } from "../../market/ingest/publisher-types.js";
import type { NodeComponent } from "../component.js";
import type { ShutdownFigures } from "../shutdown-ledger.js";

const SYMBOL = /^[A-Z0-9]{2,20}$/;

function symbolsArg(args: string[]): string[] {
  const symbols = args.flatMap((a) => a.split(",")).map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (symbols.length === 0) throw new AdminBadRequest("name at least one symbol, e.g. BTCUSDT");
  for (const s of symbols) if (!SYMBOL.test(s)) throw new AdminBadRequest(`"${s}" is not a symbol`);
  return symbols;
}

export function ingestComponent(options: { baseUrl?: string; source?: string } = {}): NodeComponent {
  let ref: ActorRef<IngestMessage, unknown> | undefined;
  let last: unknown;
  let closed: PublisherStatus | undefined;
  let closeWaitMs = 10_000;
  return {
    name: "ingest",
    async start(ctx) {
      const { config } = ctx;
      ref = ctx.system.spawn(
        "ingest",
        () => ({
          // The supervisor of the actual connection: restarts it with backoff, forever (a market feed
          // must come back), and never lets a failure reach the process.
          preStart(c) {
            c.spawn(
              "binance",
              ingestActor(ctx.nc, {
                client: { baseUrl: options.baseUrl ?? config.binanceWsUrl, symbols: config.symbols, ...(options.source ? { source: options.source } : {}) },
                publisher: { partitions: config.partitions, spoolDir: join(config.dataDir, "spool") },
              },
              { closeTimeoutMs: () => closeWaitMs, onClosed: (status) => (closed = status) }),
            );
          },
          receive(message: IngestMessage, c) {
            const child = c.child<IngestMessage>("binance");
            if (!child) throw new Error("ingest connection is not running");
            return child.ask(message, { timeoutMs: 30_000 });
          },
        }),
        { supervisor: oneForOne({ maxRestarts: 1_000_000, withinMs: 60_000, backoff: { minMs: 500, maxMs: 30_000 } }) },
      );
      const ask = (m: IngestMessage) => ref!.ask(m, { timeoutMs: 30_000 });
      ctx.admin
        .register("ingest-status", () => ask({ type: "status" }))
        .register("subscribe", (args) => ask({ type: "subscribe", symbols: symbolsArg(args) }))
        .register("unsubscribe", (args) => ask({ type: "unsubscribe", symbols: symbolsArg(args) }))
        .register("pause", () => ask({ type: "pause" }))
        .register("resume", () => ask({ type: "resume" }));
      const refresh = setInterval(() => {
        ref?.ask({ type: "status" }, { timeoutMs: 2000 }).then((s) => (last = s), () => {});
      }, 1000);
      refresh.unref();
      ctx.shutdown.add("stop-intake", "ingest (stop reading, flush or spool)", async (d) => {
        clearInterval(refresh);
        // Half the step waiting for the log, so spooling what is left still fits in it.
        closeWaitMs = Math.floor(d.timeoutMs / 2);
        await ctx.system.stop("ingest", { drain: true, timeoutMs: d.timeoutMs });
      });
      ctx.ledger?.account("ingest", () => {
        // The status refreshed last (at most a second old) is the baseline.
        const before = (last as { publisher?: PublisherStatus } | undefined)?.publisher?.spool.spooledBatches ?? 0;
        return {
          figures: (): ShutdownFigures => ({
            spooled: closed
              ? { "ingest batches spooled while stopping": closed.spool.spooledBatches - before, "ingest spool records on disk (published at next start)": closed.spool.records }
              : { "ingest (did not close: unknown)": "unknown" },
          }),
        };
      });
    },
    status: () => last,
  };
}
