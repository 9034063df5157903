/**
 * The MLOps center: runs (paged, sortable), per-symbol leaderboard with skill vs naive, the
 * champion (KV pointer) with its promotion history and feature importances, live performance
 * vs naive over time, live MLOps events, and the admin mutations `rollback` and `train`.
 */
import { TRPCError } from "@trpc/server";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { z } from "zod";
import { runImportances, type Database } from "../../../db/index.js";
import { BUCKETS, eventSubject } from "../../../runtime/nats/spec.js";
import { KvChampionStore } from "../../../mlops/champion-store.js";
import type { MlopsEvent } from "../../../mlops/events.js";
import { championHistoryWithVersions, goldModelPerformance, groupedImportances, leaderboard, livePerformance, pagedRuns, runOfVersion, trainedSymbols, RUN_SORT_COLUMNS, type RunSortColumn } from "../../../mlops/queries.js";
import type { WebContext } from "../context.js";
import { Channel } from "../feeds/channel.js";
import { publicProcedure, router } from "../trpc.js";
import { adminTokenFor, runAdmin } from "./admin-gate.js";
import { symbolSchema } from "./inputs.js";

function needDb(ctx: WebContext): Database {
  if (ctx.db === undefined) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "this web server has no database: the registry cannot be read" });
  return ctx.db;
}

const stores = new WeakMap<NatsConnection, Promise<KvChampionStore>>();
function championStore(nc: NatsConnection): Promise<KvChampionStore> {
  let store = stores.get(nc);
  if (store === undefined) {
    store = new Kvm(nc).open(BUCKETS.champions).then((kv) => new KvChampionStore(kv));
    store.catch(() => stores.delete(nc));
    stores.set(nc, store);
  }
  return store;
}

const sortSchema = z.enum(Object.keys(RUN_SORT_COLUMNS) as [RunSortColumn, ...RunSortColumn[]]);
const tokenSchema = z.string().max(512).nullish();

export const mlopsRouter = router({
  symbols: publicProcedure.query(async ({ ctx }) => {
    const champions = await (await championStore(ctx.nc)).list();
    const trained = ctx.db ? await trainedSymbols(ctx.db) : [];
    return [...new Set([...trained, ...champions.map((c) => c.symbol)])].sort();
  }),

  runs: publicProcedure
    .input(
      z.object({
        symbol: symbolSchema.nullish(),
        sort: sortSchema.default("startedAt"),
        direction: z.enum(["asc", "desc"]).default("desc"),
        page: z.number().int().min(0).default(0),
        pageSize: z.number().int().min(1).max(200).default(25),
      }),
    )
    .query(({ ctx, input }) => pagedRuns(needDb(ctx), { symbol: input.symbol ?? undefined, sort: input.sort, direction: input.direction, page: input.page, pageSize: input.pageSize })),

  leaderboard: publicProcedure.input(z.object({ symbol: symbolSchema })).query(({ ctx, input }) => leaderboard(needDb(ctx), input.symbol)),

  importances: publicProcedure.input(z.object({ runId: z.string().min(1).max(100) })).query(({ ctx, input }) => runImportances(needDb(ctx), input.runId)),

  /** The live pointer (KV: what nodes serve) with its history and the champion's importances. */
  champion: publicProcedure.input(z.object({ symbol: symbolSchema })).query(async ({ ctx, input }) => {
    const stored = await (await championStore(ctx.nc)).read(input.symbol);
    const db = ctx.db;
    const history = db ? await championHistoryWithVersions(db, input.symbol) : [];
    const runId = stored && db ? await runOfVersion(db, stored.pointer.version) : null;
    const importances = runId && db ? await runImportances(db, runId) : [];
    return { pointer: stored?.pointer ?? null, revision: stored?.revision ?? null, history, runId, importances, importanceGroups: groupedImportances(importances) };
  }),

  performance: publicProcedure
    .input(z.object({ symbol: symbolSchema, hours: z.number().min(0.1).max(24 * 30).default(24), bucketMinutes: z.number().int().min(1).max(24 * 60).default(15) }))
    .query(async ({ ctx, input }) => {
      const db = needDb(ctx);
      const since = Date.now() - input.hours * 3_600_000;
      return { points: await livePerformance(db, input.symbol, { since, bucketMs: input.bucketMinutes * 60_000 }), byVersion: await goldModelPerformance(db, input.symbol) };
    }),

  /** MLOps events as they happen (training progress, runs, promotions, rollbacks); live only, no replay. */
  events$: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const channel = new Channel<MlopsEvent>(256, signal);
    const sub = ctx.nc.subscribe(eventSubject("mlops", ">"), {
      callback: (err, msg) => {
        if (err) return channel.close();
        try {
          channel.push(msg.json<MlopsEvent>());
        } catch {
          ctx.metrics.malformed.inc({ subject_kind: "mlops-event" });
        }
      },
    });
    ctx.metrics.subscribed("mlops.events$", 1);
    try {
      yield* channel;
    } finally {
      sub.unsubscribe();
      channel.close();
      ctx.metrics.subscribed("mlops.events$", -1);
    }
  }),

  rollback: publicProcedure.input(z.object({ symbol: symbolSchema, token: tokenSchema })).mutation(async ({ ctx, input }) => {
    const replies = await runAdmin(ctx, "rollback", [input.symbol], adminTokenFor(ctx, input.token, "rollback"));
    const acted = replies.find((r) => r.ok && !(r.result as { skipped?: boolean }).skipped);
    if (acted === undefined || !acted.ok) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `no ml node handled ${input.symbol}: ${JSON.stringify(replies.map((r) => r.ok && r.result))}` });
    return { nodeId: acted.nodeId, ...(acted.result as { symbol: string; from: string; to: string }) };
  }),

  train: publicProcedure.input(z.object({ symbol: symbolSchema.nullish(), token: tokenSchema })).mutation(async ({ ctx, input }) => {
    const replies = await runAdmin(ctx, "train", input.symbol ? [input.symbol] : [], adminTokenFor(ctx, input.token, "train"), 600_000);
    return replies.flatMap((r) => (r.ok ? [{ nodeId: r.nodeId, ...(r.result as { trained: unknown[]; skipped: unknown[] }) }] : []));
  }),
});
