/**
 * The `ingest` role: a supervised IngestActor reading Binance (or the market simulator) into the
 * TRADES log — only the symbols of the ingest shards this node holds (ingest-shards.ts), so N
 * ingest nodes read each symbol once between them. Admin: `ingest-status`, `subscribe`,
 * `unsubscribe` (for the whole deployment: ingest-symbols.ts), `pause`, `resume`.
 */
import { join } from "node:path";
import type { ActorRef } from "../../runtime/actor/types.js";
import { restartForever } from "../../runtime/actor/index.js";
import { ingestActor } from "../../actors/ingest/actor.js";
import type { IngestMessage } from "../../actors/ingest/messages.js";
import { AdminBadRequest } from "../../admin/service.js";
import { ClusterNode } from "../../runtime/cluster/index.js";
import { BUCKETS } from "../../runtime/nats/spec.js";
import { Coalescer } from "../../runtime/coalescer.js";
import { atMost } from "../../runtime/at-most.js";
import { IngestShards } from "./ingest-shards.js";
import { natsHandover } from "./ingest-handover.js";
import { SharedSymbols } from "./ingest-symbols.js";
import { fetchTradesBetween, restWeightLimiter } from "../../ingest/backfill.js";
import { RestGate } from "../../ingest/rest-gate.js";
import type { BackfillFn, PublisherStatus } from "../../ingest/publisher-types.js";
import type { ClientStatus } from "../../ingest/client-types.js";
import type { NodeMetrics } from "../metrics.js";
import type { NodeComponent } from "../component.js";
import type { ShutdownFigures } from "../shutdown-ledger.js";
import { idleMarksOf } from "../idle-marks.js";

const SYMBOL = /^[A-Z0-9]{2,20}$/;
/** A taken-over shard's streams should be in effect by then; its previous reader is asked to stop either way. */
const HANDOVER_LIVE_WITHIN_MS = 15_000;
/** How long a new owner waits for the previous reader to log what it read; after that the exchange's history fills in. */
const HANDOVER_CLAIM_TIMEOUT_MS = 30_000;

function symbolsArg(args: string[]): string[] {
  const symbols = args.flatMap((a) => a.split(",")).map((s) => s.trim().toUpperCase()).filter(Boolean);
  if (symbols.length === 0) throw new AdminBadRequest("name at least one symbol, e.g. BTCUSDT");
  for (const s of symbols) if (!SYMBOL.test(s)) throw new AdminBadRequest(`"${s}" is not a symbol`);
  return symbols;
}

export function ingestComponent(options: { baseUrl?: string; source?: string; metrics?: NodeMetrics } = {}): NodeComponent {
  let ref: ActorRef<IngestMessage, unknown> | undefined;
  let last: unknown;
  let closed: PublisherStatus | undefined;
  let closeWaitMs = 10_000;
  let shards: IngestShards | undefined;
  let cluster: ClusterNode | undefined;
  let symbolSet: SharedSymbols | undefined;
  return {
    name: "ingest",
    async start(ctx) {
      const { config } = ctx;
      const ask = (m: IngestMessage) => ref!.ask(m, { timeoutMs: 30_000 });
      // Shards acquired together (a node starting, a node leaving) become one SUBSCRIBE, not one each.
      const adoptions = new Coalescer<string>(20, async (symbols) => void (await ask({ type: "adopt", symbols })));
      // One symbol set for every ingest node: SYMBOLS with the admin subscribes/unsubscribes over it.
      let changing = Promise.resolve();
      symbolSet = await SharedSymbols.open(ctx.nc, {
        configured: config.symbols,
        onChange: (added, removed) => {
          changing = changing
            .then(() => shards!.add(added))
            .then(() => shards!.remove(removed))
            .catch((err: unknown) => ctx.log.warn("ingest: could not apply a symbol change", { added: added.length, removed: removed.length, error: String(err) }));
        },
        onError: (err) => ctx.log.warn("ingest: following the shared symbol set failed; retrying", { error: String(err) }),
      });
      shards = new IngestShards(symbolSet.symbols(), {
        partitions: config.partitions,
        overlapMs: config.ingestOverlapMs,
        lostLeaseExtraMs: config.leaseTtlMs,
        adopt: async (symbols) => {
          await adoptions.add(symbols);
          // Not live in time (the exchange slow to accept connections): claim anyway, but settle as if
          // nobody answered, so the log's marks and REST cover what the previous reader stopped reading first.
          const { live } = (await ask({ type: "live", symbols, withinMs: HANDOVER_LIVE_WITHIN_MS })) as { live: Promise<boolean> };
          if (await live) return true;
          ctx.log.warn("ingest shard not live in time; claiming it anyway, filling from the exchange's history", { symbols: symbols.length, withinMs: HANDOVER_LIVE_WITHIN_MS });
          return false;
        },
        settle: async (symbols, previousFlushed) => void (await ask({ type: "settle", symbols, previousFlushed })),
        release: async (symbols) => void (await ask({ type: "unsubscribe", symbols })),
        flush: async (symbols) => {
          const { logged } = (await ask({ type: "flush", symbols })) as { logged: Promise<void> };
          await logged;
        },
        handover: natsHandover(ctx.nc, { timeoutMs: HANDOVER_CLAIM_TIMEOUT_MS, onError: (shard, error) => ctx.log.warn("ingest handover: could not flush a claimed shard", { shard, error: String(error) }) }),
      });
      const reading = shards;
      // Gaps (a takeover after a crash, a reconnect) are filled from the exchange's REST history;
      // one weight budget per node, since Binance counts per IP, gap fills before catch-ups.
      const gate = new RestGate(restWeightLimiter());
      const backfill: BackfillFn = (source, symbol, fromId, toId, request) =>
        fetchTradesBetween({ restUrl: config.binanceRestUrl, source, symbol, fromId, toId, gate, ...request });
      ref = ctx.system.spawn(
        "ingest",
        () => ({
          // The supervisor of the actual connection: restarts it with backoff, forever (a market feed
          // must come back), and never lets a failure reach the process.
          preStart(c) {
            c.spawn(
              "binance",
              ingestActor(ctx.nc, () => ({
                client: { baseUrl: options.baseUrl ?? config.binanceWsUrl, symbols: reading.reading(), log: ctx.log, ...(options.source ? { source: options.source } : {}) },
                publisher: { partitions: config.partitions, spoolDir: join(config.dataDir, "spool"), backfill, log: ctx.log, idleMarks: idleMarksOf(config) },
              }),
              { closeTimeoutMs: () => closeWaitMs, onClosed: (status) => (closed = status) }),
            );
          },
          receive(message: IngestMessage, c) {
            const child = c.child<IngestMessage>("binance");
            if (!child) throw new Error("ingest connection is not running");
            return child.ask(message, { timeoutMs: 30_000 });
          },
        }),
        { supervisor: restartForever },
      );
      cluster = new ClusterNode({
        nc: ctx.nc,
        nodeId: config.nodeId,
        roles: ["ingest"],
        host: shards,
        partitionCount: config.partitions,
        heartbeatMs: config.heartbeatMs,
        memberTtlMs: config.memberTtlMs,
        leaseTtlMs: config.leaseTtlMs,
        membersBucket: BUCKETS.ingestMembers,
        leasesBucket: BUCKETS.ingestLeases,
        onEvent: (event) => ctx.log.debug(`ingest shards ${event.type}`, { ...event }),
      });
      await cluster.start();
      const shardStatus = () => ({ shards: reading.ownedShards(), reading: reading.reading().length, ...reading.transitions() });
      ctx.admin
        // Per-symbol figures only for the symbols named: the whole list outgrows a NATS message at 10,000 symbols.
        .register("ingest-status", async (args) => ({ ...(await ask({ type: "status", symbols: args.map((s) => s.toUpperCase()) }) as object), ...shardStatus() }))
        .register("subscribe", async (args) => {
          await symbolSet!.set(symbolsArg(args), "on");
          await changing;
          return shardStatus();
        })
        .register("unsubscribe", async (args) => {
          await symbolSet!.set(symbolsArg(args), "off");
          await changing;
          return shardStatus();
        })
        .register("pause", () => ask({ type: "pause" }))
        .register("resume", () => ask({ type: "resume" }));
      const refresh = setInterval(() => {
        ref?.ask({ type: "status" }, { timeoutMs: 2000 }).then((s) => (last = s), () => {});
      }, 1000);
      refresh.unref();
      options.metrics?.watchIngest(() => (last === undefined ? undefined : { source: options.source ?? "binance", ...(last as { client?: ClientStatus; publisher?: PublisherStatus }) }));
      ctx.shutdown.add("stop-intake", "ingest (hand the shards over with overlap, stop reading, flush or spool)", async (d) => {
        clearInterval(refresh);
        symbolSet?.stop();
        // Leases first, so the other ingest nodes connect while we still read for the overlap. Both
        // waits are bounded (NATS may be gone), and with no other ingest node there is no overlap.
        const quarter = Math.floor(d.timeoutMs / 4);
        const others = cluster?.members().some((m) => m.nodeId !== config.nodeId) ?? false;
        await atMost(quarter, cluster?.leave());
        // Shards nobody claimed in time are not released one by one: stopping the actor ends them all.
        await reading.overlapsEnded(others ? Math.min(config.ingestOverlapMs, quarter) : 0, { release: false });
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
    status: () => (last === undefined ? undefined : { ...(last as object), ...(shards ? { shards: shards.ownedShards(), reading: shards.reading().length, ...shards.transitions() } : {}) }),
  };
}
