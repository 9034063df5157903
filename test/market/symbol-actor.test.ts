import { test } from "node:test";
import assert from "node:assert/strict";
import type { Trade } from "../../src/market/trade.js";
import type { Bar } from "../../src/market/bar.js";
import { addTrade, createWindows } from "../../src/market/windows.js";
import { addTradeToCandles, createCandles, type Candle } from "../../src/market/candles.js";
import { featuresFromBars } from "../../src/market/features.js";
import { createSymbolState, restoreSymbolState, snapshotSymbolState, transition, naivePredictor, symbolActor, SymbolSnapshotError, type Predictor, type SymbolEffect, type SymbolMessage, type SymbolState, type SymbolStatus, type LiveTick, type SymbolSnapshot } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import { ActorSystem } from "../../src/runtime/actor/index.js";
import { ManualClock } from "../../src/runtime/clock.js";
import { btcTrades, rng } from "./fixtures.js";
import { symbolEntity, type SymbolEntityOptions } from "../../src/actors/symbol/entity.js";
import type { SnapshottingEntity } from "../../src/runtime/cluster/snapshots/snapshot-store.js";
import { waitFor } from "../helpers/wait.js";

const BTC = btcTrades();

/** The recording cut into batches of 1–200 trades; seq = index of the batch's last trade + 1. */
function batches(trades: Trade[], seed = 7): { type: "trades"; seq: number; trades: Trade[] }[] {
  const random = rng(seed);
  const out: { type: "trades"; seq: number; trades: Trade[] }[] = [];
  for (let i = 0; i < trades.length; ) {
    const n = 1 + Math.floor(random() * 200);
    out.push({ type: "trades", seq: Math.min(trades.length, i + n), trades: trades.slice(i, i + n) });
    i += n;
  }
  return out;
}

/** Deterministic "now" per message: a fixed function of the batch, as a replay would see it. */
const nowOf = (m: SymbolMessage) => (m.type === "trades" ? 2_000_000_000_000 + m.seq : 0);

function drive(state: SymbolState, msgs: SymbolMessage[]): SymbolEffect[] {
  const effects: SymbolEffect[] = [];
  for (const m of msgs) effects.push(...transition(state, m, nowOf(m)).effects);
  return effects;
}

const barsOf = (effects: SymbolEffect[]) => effects.flatMap((e) => (e.type === "publish-bar" ? [e.bar] : []));
const candlesOf = (effects: SymbolEffect[]) => effects.flatMap((e) => (e.type === "publish-candle" ? [e.candle] : []));

test("published bars = windows + features + naive prediction; candles = candle builder; history bounded", () => {
  const state = createSymbolState("BTCUSDT");
  const effects = drive(state, batches(BTC));
  const bars = barsOf(effects);

  const w = createWindows("BTCUSDT");
  const expectedBars: Bar[] = [];
  const k = createCandles("BTCUSDT");
  const expectedCandles: Candle[] = [];
  for (const t of BTC) {
    expectedBars.push(...addTrade(w, t).closedBars);
    expectedCandles.push(...addTradeToCandles(k, t).closedCandles);
  }
  assert.equal(bars.length, expectedBars.length);
  bars.forEach((b, i) => {
    const { features, prediction, modelVersion, emittedAt, ...bar } = b;
    assert.deepEqual(bar, expectedBars[i]);
    assert.deepEqual(features, featuresFromBars(expectedBars.slice(0, i + 1)));
    assert.equal(prediction, b.close, "the naive forecast predicts every bar, warm-up included");
    assert.equal(modelVersion, "naive");
    assert.ok(emittedAt >= 2_000_000_000_000);
  });
  assert.equal(bars.filter((b) => b.features === null).length, 9);
  assert.deepEqual(candlesOf(effects), expectedCandles);
  assert.equal(state.history.length, 10);
  assert.equal(state.lastSeq, BTC.length);
  assert.deepEqual(
    { trades: state.counters.trades, duplicates: state.counters.duplicates, gaps: state.counters.gaps, late: state.counters.lateForWindows },
    { trades: 19_904, duplicates: 0, gaps: 0, late: 0 },
  );
});

test("crash safety: snapshot → JSON → restore, replay from the snapshot (with redeliveries) = uninterrupted bars", () => {
  const msgs = batches(BTC);
  const whole = drive(createSymbolState("BTCUSDT"), msgs);
  const wholeBars = barsOf(whole);
  const wholeCandles = candlesOf(whole);
  for (const cut of [1, 17, Math.floor(msgs.length / 2), msgs.length - 2]) {
    const live = createSymbolState("BTCUSDT");
    const before = drive(live, msgs.slice(0, cut));
    const snap: SymbolSnapshot = JSON.parse(JSON.stringify(snapshotSymbolState(live)));
    // The node runs on past the snapshot and dies; its later output is lost or duplicated downstream.
    drive(live, msgs.slice(cut, cut + 3));
    const restored = restoreSymbolState(snap, naivePredictor);
    // The log redelivers from the acked sequence; make it overlap one batch before the cut too.
    const after = drive(restored, msgs.slice(Math.max(0, cut - 1)));
    assert.deepEqual([...barsOf(before), ...barsOf(after)], wholeBars, `cut ${cut}`);
    assert.deepEqual([...candlesOf(before), ...candlesOf(after)], wholeCandles, `cut ${cut}`);
    assert.equal(restored.counters.duplicates, cut > 0 ? msgs[cut - 1]!.trades.length : 0);
  }
  assert.throws(() => restoreSymbolState({ version: 2 }), SymbolSnapshotError);
});

test("gaps, duplicates and misrouted trades are counted; a gap is reported", () => {
  const state = createSymbolState("BTCUSDT");
  const t = BTC.slice(0, 10);
  const effects = drive(state, [
    { type: "trades", seq: 1, trades: t.slice(0, 3) },
    { type: "trades", seq: 2, trades: [t[1]!, t[2]!] }, // redelivered
    { type: "trades", seq: 3, trades: t.slice(6, 8) }, // ids 3..5 of the slice never arrive
    { type: "trades", seq: 4, trades: [{ ...t[9]!, symbol: "ETHUSDT" }] },
  ]);
  assert.deepEqual(
    effects.filter((e) => e.type === "trade-gap"),
    [{ type: "trade-gap", symbol: "BTCUSDT", afterTradeId: t[2]!.tradeId, tradeId: t[6]!.tradeId, missing: 3 }],
  );
  assert.equal(state.counters.duplicates, 2);
  assert.equal(state.counters.gaps, 1);
  assert.equal(state.counters.missingTrades, 3);
  assert.equal(state.counters.misrouted, 1);
  assert.equal(state.counters.trades, 5);
  assert.equal(state.lastSeq, 4);
});

test("malformed trades are refused and reported, never reach the windows", () => {
  const state = createSymbolState("BTCUSDT");
  const t = BTC[0]!;
  const bad: Trade[] = [
    { ...t, tradeId: 1, price: 0 },
    { ...t, tradeId: 2, price: Number.NaN },
    { ...t, tradeId: 3, quantity: -1 },
    { ...t, tradeId: 4, tradeTime: Number.POSITIVE_INFINITY },
    { ...t, tradeId: 1.5 },
  ];
  const effects = drive(state, [{ type: "trades", seq: 1, trades: bad }]);
  assert.equal(effects.filter((e) => e.type === "invalid-trade").length, 5);
  assert.equal(state.counters.invalid, 5);
  assert.equal(state.counters.trades, 0);
  assert.equal(state.windows.panes.length, 0);
  assert.equal(state.lastTradeId, null);
});

test("late trades are reported and counted, not merged", () => {
  const state = createSymbolState("BTCUSDT");
  const [a, b] = [BTC[0]!, BTC[1]!];
  // b arrives with a higher id but a trade time 60 s earlier than a: beyond the 2 s lateness.
  const effects = drive(state, [{ type: "trades", seq: 1, trades: [a, { ...b, tradeTime: a.tradeTime - 60_000 }] }]);
  assert.equal(effects.filter((e) => e.type === "late-trade").length, 1);
  assert.equal(state.counters.lateForWindows, 1);
  assert.equal(state.counters.lateForCandles, 1);
});

test("model swap: later bars use the new model and carry its version; a throwing model falls back to naive, reported", () => {
  const plusOne: Predictor = { version: "v7", predict: (_f, bar) => bar.close + 1 };
  const broken: Predictor = {
    version: "broken",
    predict: () => {
      throw new Error("boom");
    },
  };
  const msgs = batches(BTC);
  const state = createSymbolState("BTCUSDT");
  const third = Math.floor(msgs.length / 3);
  const e1 = drive(state, msgs.slice(0, third));
  const swap = transition(state, { type: "model-changed", predictor: plusOne }, 0).effects;
  assert.deepEqual(swap, [{ type: "model-swapped", symbol: "BTCUSDT", from: "naive", to: "v7" }]);
  const e2 = barsOf(drive(state, msgs.slice(third, 2 * third)));
  transition(state, { type: "model-changed", predictor: broken }, 0);
  const e3all = drive(state, msgs.slice(2 * third));
  assert.ok(barsOf(e1).length > 0 && e2.length > 0);
  assert.ok(e2.every((b) => b.modelVersion === "v7" && b.prediction === b.close + 1));
  const e3 = barsOf(e3all);
  assert.ok(e3.length > 0 && e3.every((b) => b.modelVersion === "naive" && b.prediction === b.close));
  assert.equal(e3all.filter((e) => e.type === "prediction-failed").length, e3.length);
  assert.equal(state.counters.predictionFailures, e3.length);
});

test("ticks are throttled: one per tick message, only after new trades, with the newest trade", () => {
  const state = createSymbolState("BTCUSDT");
  drive(state, [{ type: "trades", seq: 1, trades: BTC.slice(0, 5) }]);
  const first = transition(state, { type: "tick" }, 123).effects;
  assert.equal(first.length, 1);
  const tick = (first[0] as { type: "publish-tick"; tick: LiveTick }).tick;
  assert.equal(tick.tradeId, BTC[4]!.tradeId);
  assert.equal(tick.tradesSinceLastTick, 5);
  assert.equal(tick.candle!.tradeCount, 5);
  assert.equal(tick.emittedAt, 123);
  assert.deepEqual(transition(state, { type: "tick" }, 124).effects, []);
});

test("the actor shell on the real runtime: bars to the sink, ticks on the injected clock, status and snapshot asks", async () => {
  const clock = new ManualClock(1_000);
  await using system = new ActorSystem({ name: "symbol-test", clock });
  const bars: SilverBar[] = [];
  const ticks: LiveTick[] = [];
  const candles: Candle[] = [];
  const ref = system.spawn(
    "BTCUSDT",
    symbolActor({
      symbol: "BTCUSDT",
      sink: { publishBar: (b) => void bars.push(b), publishTick: (t) => void ticks.push(t), publishCandle: (c) => void candles.push(c) },
      tickIntervalMs: 250,
    }),
  );
  const msgs = batches(BTC.slice(0, 3_000));
  for (const m of msgs) await ref.tell(m);
  const status = (await ref.ask({ type: "status" })) as SymbolStatus;
  assert.equal(status.lastSeq, 3_000);
  assert.equal(status.counters.trades, 3_000);
  assert.equal(bars.length, status.counters.bars);
  assert.ok(bars.length > 0);
  assert.ok(bars.every((b) => b.emittedAt === 1_000));
  clock.advance(250);
  await waitFor(() => ticks.length === 1, { what: "a live tick after the timer fires" });
  assert.equal(ticks[0]!.tradeId, BTC[2_999]!.tradeId);
  const snap = (await ref.ask({ type: "snapshot" })) as SymbolSnapshot;
  assert.equal(snap.lastSeq, 3_000);
  assert.equal(snap.modelVersion, "naive");
});

test("SymbolEntity: only a model change counts as a state change among commands (idle symbols are not snapshotted for their ticks)", () => {
  const entity = symbolEntity({} as SymbolEntityOptions)("BTCUSDT") as unknown as SnapshottingEntity;
  assert.equal(entity.changesState?.({ type: "tick" }), false);
  assert.equal(entity.changesState?.({ type: "status" }), false);
  assert.equal(entity.changesState?.({ type: "snapshot" }), false);
  assert.equal(entity.changesState?.({ type: "model-changed", predictor: undefined }), true);
});
