/**
 * The ml role on a node: the Watcher actor (hunt/patrol), the Piscina training pool, the
 * registry glue, and the admin commands `train [SYMBOL]`, `rollback <SYMBOL>` and `ml-status [SYMBOL...]`. Each symbol is
 * trained by one ml node (rendezvous hashing over live ml members); the champion pointer's
 * compare-and-set keeps promotions safe even when two nodes briefly disagree.
 */
import type { DemotionRules } from "../../ml/demotion.js";
import { Kvm } from "@nats-io/kv";
import type { Config } from "../../config/index.js";
import { databaseOptionsFromConfig, migrate, openDatabase, type Database } from "../../db/index.js";
import { Lake } from "../../lake/index.js";
import type { Algorithm, ParamOverrides, PromotionRules } from "../../ml/index.js";
import { TrainingPool } from "../../ml/pool/index.js";
import type { NodeComponent, NodeContext } from "../component.js";
import type { ActorRef } from "../../runtime/actor/types.js";
import { hash32, ownerFor } from "../../runtime/cluster/leases/placement.js";
import type { OwnershipView } from "../../runtime/cluster/types.js";
import { BUCKETS } from "../../runtime/nats/spec.js";
import { rollbackHandler, trainHandler } from "../../mlops/admin.js";
import { ArtifactStore } from "../../mlops/artifacts.js";
import { ChampionCache } from "../../mlops/champion-cache.js";
import { KvChampionStore } from "../../mlops/champion-store.js";
import { eventLogLevel, fanOut, natsEventSink, type MlopsEvent } from "../../mlops/events.js";
import { LakeSilverSource, type SilverSource } from "../../mlops/silver-source.js";
import { usableRows } from "../../mlops/dataset.js";
import { DEFAULT_MIN_ROWS, Trainer } from "../../mlops/trainer.js";
import { trainNowVia, watcherActor, type WatcherActorMessage, type WatcherReply, type WatcherStatus } from "../../actors/watcher/actor.js";
import type { WatcherSettings } from "../../actors/watcher/transition.js";
import type { NodeMetrics } from "../metrics.js";

export interface MlopsOptions {
  /** The node's metrics: events counted by type, the training queue. */
  metrics?: NodeMetrics;
  /**
   * The node's database (or a getter, e.g. `() => nodeDatabase.get()`), when the node shares one
   * (PGlite allows one opener per directory). Default: opened and migrated here, closed at shutdown.
   */
  db?: Database | (() => Promise<Database>);
  /** Default: the config's lake (LAKE_URI or DATA_DIR/lake, S3 settings from the config). */
  lake?: Lake;
  /** Default: the lake's silver_bars table. */
  source?: SilverSource;
  /** Least training rows before a symbol's first league. Default 20. */
  minRows?: number;
  /** Newest bars a round trains on. Default 50 000. */
  maxBars?: number;
  settings?: Partial<WatcherSettings>;
  algorithms?: readonly Algorithm[];
  params?: ParamOverrides;
  rules?: PromotionRules;
  /** When a live champion is demoted to naive (src/ml/demotion.ts). */
  demotion?: Partial<DemotionRules>;
  /** Training pool threads (default 1: one core stays with the event loop) and waiting tasks (default 16). */
  maxThreads?: number;
  maxQueue?: number;
}

export const WATCHER_ACTOR = "mlops-watcher";

/** The ml node that trains `symbol`: highest rendezvous weight among live ml members (this node if it sees none). */
export function mlHandlerOf(ownership: Pick<OwnershipView, "nodeId" | "members">, symbol: string): string {
  const ids = ownership.members().filter((m) => m.roles.includes("ml")).map((m) => m.nodeId);
  if (!ids.includes(ownership.nodeId)) ids.push(ownership.nodeId);
  return ownerFor(hash32(symbol), ids)!;
}

export function lakeFromConfig(config: Config): Lake {
  const s3 = config.s3;
  return Lake.open(config.lakeUri, {
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    ...(s3.accessKeyId ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } } : {}),
  });
}

/**
 * The serving side's view of the champions for a node with symbol actors: follows rt_champions,
 * loads artifacts from the config's lake. Wire `onChange` to the symbol entities
 * (`{ type: "model-changed", predictor }`) and start new entities with `get(symbol)`.
 */
export async function openChampionCache(nc: NodeContext["nc"], config: Config, options: { lake?: Lake; onError?: (err: unknown, symbol?: string) => void } = {}): Promise<ChampionCache> {
  const kv = await new Kvm(nc).open(BUCKETS.champions);
  const cache = new ChampionCache({ kv, artifacts: new ArtifactStore((options.lake ?? lakeFromConfig(config)).storage), ...(options.onError ? { onError: options.onError } : {}) });
  await cache.start();
  return cache;
}

export function mlopsComponent(config: Config, options: MlopsOptions = {}): NodeComponent {
  let readStatus: (() => WatcherStatus) | null = null;
  let lastEvent: MlopsEvent | null = null;
  let pool: TrainingPool | null = null;

  async function start(ctx: NodeContext): Promise<void> {
    const ownedDb = options.db === undefined;
    const db = options.db === undefined ? await openDatabase(databaseOptionsFromConfig(config)) : typeof options.db === "function" ? await options.db() : options.db;
    if (ownedDb) await migrate(db);
    const lake = options.lake ?? lakeFromConfig(config);
    const source = options.source ?? new LakeSilverSource(lake);
    const store = new KvChampionStore(await new Kvm(ctx.nc).open(BUCKETS.champions));
    const artifacts = new ArtifactStore(lake.storage);
    const publish = natsEventSink(ctx.nc, (err) => ctx.log.warn("mlops event not published", { error: String(err) }));
    const counted = options.metrics?.watchMlops(() => pool);
    const events = fanOut(publish, (e) => {
      if (e.type === "pool") return;
      counted?.(e);
      lastEvent = e;
      ctx.log[eventLogLevel(e)](`mlops ${e.type}`, { ...e });
    });
    pool = new TrainingPool({ maxThreads: options.maxThreads ?? 1, maxQueue: options.maxQueue ?? 16, onEvent: (event) => publish({ type: "pool", event }) });
    const trainer = new Trainer({
      source,
      pool,
      db,
      store,
      artifacts,
      events,
      minRows: options.minRows ?? DEFAULT_MIN_ROWS,
      ...(options.maxBars ? { maxBars: options.maxBars } : {}),
      ...(options.algorithms ? { algorithms: options.algorithms } : {}),
      ...(options.params ? { params: options.params } : {}),
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.demotion ? { demotion: options.demotion } : {}),
    });
    const symbols = async () => [...new Set([...config.symbols, ...(await source.symbols())])].sort();
    const survey = async () => {
      const [bars, champions] = await Promise.all([source.survey(), store.list()]);
      return { rows: new Map([...bars].map(([s, n]) => [s, usableRows(n)])), requiredRows: trainer.requiredRows, champions: new Set(champions.map((c) => c.symbol)) };
    };
    const handlerOf = (symbol: string) => mlHandlerOf(ctx.ownership, symbol);
    const watcher: ActorRef<WatcherActorMessage, WatcherReply> = ctx.system.spawn(
      WATCHER_ACTOR,
      watcherActor({
        trainer,
        // The survey adds the symbols found in silver: one lake listing per plan.
        symbols: () => config.symbols,
        survey,
        responsible: (s) => handlerOf(s) === ctx.ownership.nodeId,
        events,
        ...(options.settings ? { settings: options.settings } : {}),
        onStatus: (read) => (readStatus = read),
        // One line per plan; per-symbol reasons are in `admin status` (mlopsStatus).
        onRound: (summary) => ctx.log.info("mlops watcher round", { ...summary }),
      }),
    );
    const deps = { trainNow: trainNowVia(watcher), store, db, events, symbols, handlerOf, nodeId: ctx.ownership.nodeId, now: Date.now };
    ctx.admin
      .register("train", trainHandler(deps))
      .register("rollback", rollbackHandler(deps))
      .register("ml-status", (args) => mlopsStatus(readStatus?.() ?? null, pool, lastEvent, { symbols: args.map((s) => s.toUpperCase()) }));
    const p = pool;
    ctx.shutdown
      .add("stop-intake", "mlops watcher", () => ctx.system.stop(WATCHER_ACTOR))
      .add("close", "training pool", () => p.close({ force: true }));
    if (ownedDb) ctx.shutdown.add("close", "mlops database", () => db.close());
  }

  return {
    name: "mlops",
    start,
    status: () => mlopsStatus(readStatus?.() ?? null, pool, lastEvent),
  };
}

/** `admin status` for the ml role: per symbol its mode, next round, last result; compact enough for one line per node. */
/** Symbols listed one by one in the ml role's status when none are named: running ones, then the latest rounds. */
export const MLOPS_STATUS_RECENT = 10;

/**
 * The ml role's figures (`admin status`, `admin ml-status`): totals over every watched symbol, and
 * one entry per symbol named in `options.symbols`, or, when none are named, for the
 * `MLOPS_STATUS_RECENT` running or latest-ended ones. A map of every symbol is about 200 bytes a
 * symbol: at 5,000 symbols more than one NATS message may carry, and the node's whole status
 * would no longer reach `admin status`.
 */
export function mlopsStatus(watcher: WatcherStatus | null, pool: TrainingPool | null, lastEvent: MlopsEvent | null, options: { symbols?: readonly string[] } = {}) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const all = Object.entries(watcher?.symbols ?? {});
  const count = (f: (w: (typeof all)[number][1]) => boolean) => all.reduce((n, [, w]) => n + (f(w) ? 1 : 0), 0);
  const lastResults: Record<string, number> = {};
  for (const [, w] of all) if (w.last !== null) lastResults[w.last.status] = (lastResults[w.last.status] ?? 0) + 1;
  const named = options.symbols !== undefined && options.symbols.length > 0 ? new Set(options.symbols) : undefined;
  const listed =
    named !== undefined
      ? all.filter(([symbol]) => named.has(symbol))
      : [...all].sort(([, a], [, b]) => Number(b.running !== null) - Number(a.running !== null) || (b.last?.at ?? -1) - (a.last?.at ?? -1)).slice(0, MLOPS_STATUS_RECENT);
  return {
    huntEveryMs: watcher?.settings.huntIntervalMs ?? null,
    patrolEveryMs: watcher?.settings.patrolIntervalMs ?? null,
    totals: { symbols: all.length, hunting: count((w) => w.mode === "hunt"), patrolling: count((w) => w.mode === "patrol"), running: count((w) => w.running !== null), rounds: all.reduce((n, [, w]) => n + w.rounds, 0), champions: count((w) => w.last?.champion != null), lastResults },
    symbols: Object.fromEntries(
      listed
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([symbol, w]) => [
          symbol,
          { mode: w.mode, running: w.running, nextRun: iso(w.nextRunAt), rounds: w.rounds, champion: w.last?.champion ?? null, last: w.last === null ? null : `${w.last.status}: ${w.last.detail} at ${iso(w.last.at)}` },
        ]),
    ),
    pool: pool === null ? null : { pending: pool.pending, capacity: pool.capacity },
    lastEvent: lastEvent === null ? null : { type: lastEvent.type, ...("symbol" in lastEvent ? { symbol: lastEvent.symbol } : {}), ...("at" in lastEvent ? { at: iso(lastEvent.at) } : {}) },
  };
}
