/**
 * A web server with the MLOps router over a real registry: PostgreSQL (fresh schema), a private
 * nats-server, a temp lake, the training pool, a watcher and the admin endpoint (local-only
 * auth). Rounds: the first trains gradient boosting alone, later ones the whole league.
 */
import { Kvm } from "@nats-io/kv";
import { migrate, upsertSilverBars } from "../../src/db/index.js";
import { type SilverBarRow } from "../../src/contracts/silver-bar.js";
import { Lake } from "../../src/lake/index.js";
import { TrainingPool } from "../../src/ml/pool/index.js";
import { ActorSystem } from "../../src/runtime/actor/index.js";
import { BUCKETS } from "../../src/runtime/nats/index.js";
import { AdminAuth, localAdminToken } from "../../src/admin/auth.js";
import { AdminService } from "../../src/admin/service.js";
import { ArtifactStore, InMemorySilverSource, KvChampionStore, Trainer, natsEventSink, rollbackHandler, trainHandler } from "../../src/mlops/index.js";
import { trainNowVia, watcherActor, type RoundRunner } from "../../src/actors/watcher/index.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import { postgresBackend, type TestDatabase } from "../db/fixtures.js";
import { startWebStack, type WebStack } from "../web/fixtures.js";
import { ar1Trades, onlineBars, tempDir } from "./support.js";

export function servingRow(b: SilverBar, prediction = b.prediction, modelVersion = b.modelVersion): SilverBarRow {
  return {
    symbol: b.symbol, windowStart: b.windowStart, windowEnd: b.windowEnd, open: b.open, high: b.high, low: b.low, close: b.close, avgPrice: b.avgPrice,
    vwap: b.vwap, volume: b.volume, tradeCount: b.tradeCount, volatility: b.volatility, lag1: null, lag3: null, ma5: null, ma10: null, momentum: null,
    volatilityChange: null, prediction, predictionModelVersion: prediction === null ? null : modelVersion, closingTradeIngestTime: null, emitTime: b.emittedAt,
  };
}

/** Trades that reach the silver source only from the second round on. */
const LATER = 300;

export interface MlopsStack extends AsyncDisposable {
  stack: WebStack;
  db: TestDatabase;
  bars: SilverBar[];
  lake: Lake;
  /** What the trainer reads (a re-added window end replaces the bar). */
  source: InMemorySilverSource;
}

/** `adminTokens`: ADMIN_TOKENS of the web server and the admin endpoint (none: local-only auth); `readTokens`: the web server's READ_TOKENS. */
export async function startMlopsStack(symbol = "SYNUSDT", trades = 400, auth: { adminTokens?: string[]; readTokens?: string[] } = {}): Promise<MlopsStack> {
  const adminTokens = auth.adminTokens ?? [];
  const db = await postgresBackend().open();
  await migrate(db);
  const dir = tempDir();
  const stack = await startWebStack({ db, admin: { tokens: adminTokens, localToken: localAdminToken(dir.path) }, readTokens: auth.readTokens ?? [] });
  const nc = stack.pub;
  const lake = Lake.open(`${dir.path}/lake`);
  const store = new KvChampionStore(await new Kvm(nc).open(BUCKETS.champions));
  const source = new InMemorySilverSource();
  // LATER more trades arrive before the second round: a challenger is tested against the champion
  // only on rows newer than the champion's data.
  const all = ar1Trades(symbol, trades + LATER, Date.now() - (trades + LATER) * 10_000);
  const bars = onlineBars(all, symbol);
  const firstEnd = all[trades - 1]!.tradeTime;
  source.add(bars.filter((b) => b.windowEnd <= firstEnd));
  await upsertSilverBars(db, bars.map((b) => servingRow(b)));
  const pool = new TrainingPool({ maxThreads: 1 });
  const events = natsEventSink(nc);
  const base = { source, pool, db, store, artifacts: new ArtifactStore(lake.storage), events };
  // A weak first champion (two boosting rounds: a fifth of the move), so the league's best beats it clearly.
  const boosting = new Trainer({ ...base, algorithms: ["gradient-boosting"], params: { "gradient-boosting": { nRounds: 2 } } });
  const full = new Trainer(base);
  let round = 0;
  const runner: RoundRunner = {
    train: (s, t, signal) => {
      if (round === 1) source.add(bars.filter((b) => b.windowEnd > firstEnd));
      return (round++ === 0 ? boosting : full).train(s, t, signal);
    },
  };
  const system = new ActorSystem({ name: "n1" });
  const watcher = system.spawn("watcher", watcherActor({ trainer: runner, symbols: () => [], settings: { huntIntervalMs: 3_600_000 } }));
  const deps = { trainNow: trainNowVia(watcher), store, db, events, symbols: async () => [symbol], handlerOf: () => "n1", nodeId: "n1", now: Date.now };
  const admin = new AdminService(nc, "n1", AdminAuth.fromConfig(adminTokens, dir.path));
  admin.register("train", trainHandler(deps)).register("rollback", rollbackHandler(deps)).start();
  await nc.flush();
  return {
    stack,
    db,
    bars,
    lake,
    source,
    async [Symbol.asyncDispose]() {
      await admin[Symbol.asyncDispose]();
      await system.shutdown();
      await pool.close({ force: true });
      await stack[Symbol.asyncDispose]();
      await db[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    },
  };
}
