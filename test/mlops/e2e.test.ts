/**
 * End to end on real servers: a private nats-server, PostgreSQL (fresh schema), a temp-dir lake
 * and the Piscina pool. Synthetic AR(1) trades go through a SymbolActor whose silver bars feed
 * the training source; the watcher (manual clock) hunts, trains and promotes; the ChampionCache
 * swaps the running SymbolActor's model without a restart; admin train and rollback follow.
 * Every bar a promoted champion predicted equals the stored artifact's prediction on the offline
 * dataset's features for that bar (./parity.ts).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { bootstrap, platformLogSpec, BUCKETS } from "../../src/runtime/nats/index.js";
import { ActorSystem, ManualClock } from "../../src/runtime/actor/index.js";
import { symbolActor, type SymbolMessage, type SymbolReply, type SymbolStatus } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import type { Trade } from "../../src/market/trade.js";
import { Lake } from "../../src/lake/index.js";
import { TrainingPool } from "../../src/ml/pool/index.js";
import { migrate, listRuns, listModelVersions, championHistory, currentChampions, runImportances } from "../../src/db/index.js";
import { ArtifactStore, ChampionCache, InMemorySilverSource, KvChampionStore, Trainer, natsEventSink, fanOut, rollbackHandler, trainHandler, type MlopsEvent } from "../../src/mlops/index.js";
import { trainNowVia, watcherActor, type WatcherStatus, type RoundRunner } from "../../src/actors/watcher/index.js";
import { AdminBadRequest } from "../../src/admin/service.js";
import { backends } from "../db/fixtures.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { tempDir } from "./support.js";
import { assertLiveEqualsOffline } from "./parity.js";

const SYMBOL = "SYNUSDT";
const T0 = 1_700_000_000_000;

/** One trade per 10 s slot; returns follow r_k = φ·r_{k−1} + ε (seeded), so the next bar's close is predictable. */
function ar1Trades(count: number, phi = 0.6, seed = 11): Trade[] {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const trades: Trade[] = [];
  let price = 100;
  let r = 0;
  for (let k = 0; k < count; k++) {
    r = phi * r + 0.002 * gauss();
    price *= 1 + r;
    const t = T0 + k * 10_000 + 5_000;
    const p = Number(price.toFixed(6));
    trades.push({ source: "sim", symbol: SYMBOL, tradeId: k + 1, price: p, quantity: 1, priceText: String(p), quantityText: "1", tradeTime: t, eventTime: t, ingestTime: t, buyerIsMaker: false });
  }
  return trades;
}

/** Trade k of a new series moved onto the end of `last`: ids, times and prices continue from it. */
function turned(t: Trade, last: Trade, k: number): Trade {
  const p = Number(((t.price / 100) * last.price).toFixed(6));
  const time = last.tradeTime + (k + 1) * 10_000;
  return { ...t, tradeId: last.tradeId + k + 1, price: p, priceText: String(p), tradeTime: time, eventTime: time, ingestTime: time };
}

for (const backend of backends()) {
  test(`(${backend.name}) replayed market → watcher hunts, trains, promotes → SymbolActor switches model without restart → admin train and rollback`, { timeout: 180_000 }, async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    await using db = await backend.open();
    using lakeDir = tempDir();
    try {
      await bootstrap(nc, platformLogSpec());
      await migrate(db);
      const kv = await new Kvm(nc).open(BUCKETS.champions);
      const lake = Lake.open(lakeDir.path);
      const store = new KvChampionStore(kv);
      const artifacts = new ArtifactStore(lake.storage);
      const source = new InMemorySilverSource();
      const published: MlopsEvent[] = [];
      const sub = nc.subscribe("events.mlops.>", { callback: (_e, m) => void published.push(m.json<MlopsEvent>()) });
      const events = fanOut(natsEventSink(nc));
      await using pool = new TrainingPool({ maxThreads: 1 });

      // Hunt and patrol train a weak gradient boosting alone (two rounds: a fifth of the move); admin
      // trains the whole league, whose ElasticNet fits this linear AR(1) signal far better, and is
      // tested against v1 on the bars that arrived after v1's data, so a second champion follows
      // and there is something to roll back to.
      const base = { source, pool, db, store, artifacts, events };
      const boostingOnly = new Trainer({ ...base, algorithms: ["gradient-boosting"], params: { "gradient-boosting": { nRounds: 2 } } });
      const league = new Trainer(base);
      const runner: RoundRunner = { train: (s, t, signal) => (t === "admin" ? league : boostingOnly).train(s, t, signal) };

      const clock = new ManualClock(T0);
      await using system = new ActorSystem({ name: "mlops-e2e", clock });

      // The serving side: cache + a running SymbolActor that follows it.
      await using cache = new ChampionCache({ kv, artifacts: new ArtifactStore(lake.storage) });
      await cache.start();
      const bars: SilverBar[] = [];
      const actor = system.spawn<SymbolMessage, SymbolReply>(
        SYMBOL,
        symbolActor({
          symbol: SYMBOL,
          tickIntervalMs: 0,
          ...(cache.get(SYMBOL) ? { predictor: cache.get(SYMBOL)! } : {}),
          sink: {
            publishBar: (b) => {
              bars.push(b);
              source.add([b]);
            },
            publishCandle: () => {},
            publishTick: () => {},
          },
        }),
      );
      cache.onChange((symbol, predictor) => {
        if (symbol === SYMBOL) actor.tryTell({ type: "model-changed", predictor });
      });
      const trades = ar1Trades(760);
      let fed = 0;
      const feed = async (upTo: number) => {
        await actor.tell({ type: "trades", seq: upTo, trades: trades.slice(fed, upTo) });
        fed = upTo;
        await actor.ask({ type: "status" });
      };
      const modelOfActor = async () => ((await actor.ask({ type: "status" })) as SymbolStatus).modelVersion;

      await feed(25);
      assert.ok(bars.length > 10 && bars.every((b) => b.modelVersion === "naive"));

      const watcher = system.spawn("watcher", watcherActor({ trainer: runner, symbols: () => [SYMBOL], events }));
      const status = async () => (await watcher.ask({ type: "status" })) as WatcherStatus;
      await waitFor(async () => (await status()).symbols[SYMBOL]?.rounds === 1, { what: "first hunt check" });
      assert.equal((await status()).symbols[SYMBOL]!.last?.status, "insufficient-data", "25 trades are too few bars");
      assert.equal((await status()).symbols[SYMBOL]!.mode, "hunt");

      await feed(400);
      clock.advance(10_000);
      await waitFor(async () => (await status()).symbols[SYMBOL]?.rounds === 2, { what: "the hunt round that trains", timeoutMs: 90_000 });
      const afterHunt = (await status()).symbols[SYMBOL]!;
      assert.equal(afterHunt.last?.status, "trained");
      assert.equal(afterHunt.last?.promoted, `${SYMBOL}/v1`, afterHunt.last?.detail);
      assert.equal(afterHunt.mode, "patrol");

      // The registry: the run with params, metrics and importances; the version and its artifact; the promotion.
      const runs = await listRuns(db, { symbol: SYMBOL });
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.status, "finished");
      assert.ok(runs[0]!.metrics.rmse! < runs[0]!.metrics.rmse_naive!, "boosting beats naive on AR(1) data");
      assert.ok(Object.keys(runs[0]!.params).includes("maxDepth"));
      assert.equal((await runImportances(db, runs[0]!.runId)).length, 7);
      const versions = await listModelVersions(db, SYMBOL);
      assert.deepEqual(versions.map((v) => [v.modelVersion, v.artifactUri, v.runId]), [[`${SYMBOL}/v1`, `models/${SYMBOL}/v1/model.json`, runs[0]!.runId]]);
      assert.ok(await lake.storage.get(`models/${SYMBOL}/v1/model.json`));
      assert.equal((await currentChampions(db)).find((c) => c.symbol === SYMBOL)?.modelVersion, `${SYMBOL}/v1`);
      assert.equal((await store.read(SYMBOL))?.pointer.version, `${SYMBOL}/v1`);

      // The running actor switched at once; the next bars carry v1's predictions.
      await waitFor(async () => (await modelOfActor()) === `${SYMBOL}/v1`, { what: "actor on v1" });
      const before = bars.length;
      await feed(420);
      const fresh = bars.slice(before);
      assert.ok(fresh.length >= 15);
      assert.ok(fresh.every((b) => b.modelVersion === `${SYMBOL}/v1` && b.prediction !== null));
      assert.ok(fresh.some((b) => b.prediction !== b.close), "a learned model, not the naive forecast");

      // 280 more bars, then admin train: the full league against v1 on the held-out bars newer than v1's data.
      await feed(700);
      const deps = { trainNow: trainNowVia(watcher), store, db, events, symbols: async () => [SYMBOL], handlerOf: () => "n1", nodeId: "n1", now: () => clock.now() };
      const trained = (await trainHandler(deps)([SYMBOL], { command: "train", args: [SYMBOL], caller: "test" })) as { trained: { runs: unknown[]; promotion: { promoted: boolean; version?: string; reason: string } }[] };
      assert.equal(trained.trained.length, 1);
      assert.equal(trained.trained[0]!.runs.length, 4);
      const promotion = trained.trained[0]!.promotion;
      assert.equal(promotion.promoted, true, `league vs the boosting champion: ${promotion.reason}`);
      assert.equal(promotion.version, `${SYMBOL}/v2`);
      assert.match(promotion.reason, /beats-naive-and-champion/);
      await waitFor(async () => (await modelOfActor()) === `${SYMBOL}/v2`, { what: "actor on v2" });
      assert.equal((await listRuns(db, { symbol: SYMBOL })).length, 5);
      await feed(720);

      // Rollback: the pointer goes back to v1 by compare-and-set, the history records it, the actor follows.
      const rolled = (await rollbackHandler(deps)([SYMBOL], { command: "rollback", args: [SYMBOL], caller: "test" })) as { from: string; to: string };
      assert.deepEqual([rolled.from, rolled.to], [`${SYMBOL}/v2`, `${SYMBOL}/v1`]);
      await waitFor(async () => (await modelOfActor()) === `${SYMBOL}/v1`, { what: "actor back on v1" });
      const mark = bars.length;
      await feed(740);
      assert.ok(bars.slice(mark).every((b) => b.modelVersion === `${SYMBOL}/v1`));
      const history = await championHistory(db, SYMBOL);
      assert.deepEqual(history.map((h) => h.modelVersion), [`${SYMBOL}/v1`, `${SYMBOL}/v2`, `${SYMBOL}/v1`]);
      assert.match(history[0]!.reason, /rollback from/);
      await assert.rejects(async () => rollbackHandler(deps)([SYMBOL], { command: "rollback", args: [SYMBOL], caller: "test" }), AdminBadRequest, "v1 has nothing before it");
      await assert.rejects(async () => rollbackHandler(deps)([], { command: "rollback", args: [], caller: "test" }), AdminBadRequest);

      // Parity: each live v1/v2 prediction = the artifact's own predict on the offline features (own store, no shared cache).
      const checked = await assertLiveEqualsOffline(bars, source, new ArtifactStore(lake.storage));
      assert.deepEqual([...checked.keys()].sort(), [`${SYMBOL}/v1`, `${SYMBOL}/v2`]);
      assert.ok(checked.get(`${SYMBOL}/v1`)! >= 300 && checked.get(`${SYMBOL}/v2`)! >= 20, `bars checked: ${JSON.stringify([...checked])}`);

      // The market turns (φ −0.6: moves now reverse): v1, which predicts continuation, does worse than
      // naive on every bar it serves; the next round demotes it and the running actor falls back to naive.
      await feed(760);
      trades.push(...ar1Trades(700, -0.6, 23).map((t, k) => turned(t, trades.at(-1)!, k)));
      await feed(trades.length);
      const demotion = (await trainHandler(deps)([SYMBOL], { command: "train", args: [SYMBOL], caller: "test" })) as { trained: { champion: string; review: { version: string; verdict: string; demoted: boolean; detail: string } }[] };
      const review = demotion.trained[0]!.review;
      assert.deepEqual([review.version, review.verdict, review.demoted], [`${SYMBOL}/v1`, "demote", true], review.detail);
      assert.equal(demotion.trained[0]!.champion, "naive");
      await waitFor(async () => (await modelOfActor()) === "naive", { what: "actor back on the naive forecast" });
      const afterDemotion = bars.length;
      trades.push(...ar1Trades(20, -0.6, 29).map((t, k) => turned(t, trades.at(-1)!, k)));
      await feed(trades.length);
      assert.ok(bars.length - afterDemotion >= 15 && bars.slice(afterDemotion).every((b) => b.modelVersion === "naive" && b.prediction === b.close));
      const [demotedRow] = await championHistory(db, SYMBOL);
      assert.deepEqual([demotedRow!.action, demotedRow!.modelVersion, demotedRow!.previousModelVersion], ["demoted", "naive", `${SYMBOL}/v1`]);

      // What the dashboard sees on NATS.
      await waitFor(() => published.some((e) => e.type === "demoted"), { what: "events on NATS" });
      const kinds = new Set(published.map((e) => e.type));
      for (const k of ["training-started", "run-completed", "promoted", "mode-changed", "rolled-back", "champion-reviewed", "demoted"]) assert.ok(kinds.has(k as MlopsEvent["type"]), k);
      sub.unsubscribe();
    } finally {
      await nc.close();
    }
  });
  after(() => backend.shutdown());
}
