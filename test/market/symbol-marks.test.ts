/**
 * Log marks in the SymbolActor: an idle watermark closes what a trade at that time would close,
 * an end mark closes everything; both are log entries, so a restore that replays the log, and
 * `admin verify`'s own replay, close exactly the same windows.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Trade } from "../../src/market/trade.js";
import { createWindows, flushWindows, addTrade } from "../../src/market/windows.js";
import { createSymbolState, restoreSymbolState, snapshotSymbolState, transition, naivePredictor, type SymbolEffect, type SymbolMessage, type SymbolState } from "../../src/actors/symbol/index.js";
import type { EventTimeMark } from "../../src/actors/symbol/messages.js";
import { ExpectedBars } from "../../src/verify/reconcile.js";
import { btcTrades, rng } from "./fixtures.js";

const BTC = btcTrades();
const LAST = BTC[BTC.length - 1]!;
const barsOf = (effects: SymbolEffect[]) => effects.flatMap((e) => (e.type === "publish-bar" ? [e.bar] : []));
const candlesOf = (effects: SymbolEffect[]) => effects.flatMap((e) => (e.type === "publish-candle" ? [e.candle] : []));
const nowOf = (m: SymbolMessage) => (m.type === "trades" ? 2_000_000_000_000 + m.seq : 0);

function drive(state: SymbolState, msgs: readonly SymbolMessage[]): SymbolEffect[] {
  const effects: SymbolEffect[] = [];
  for (const m of msgs) effects.push(...transition(state, m, nowOf(m)).effects);
  return effects;
}

/** The recording in batches of 1–200 trades, with a mark after some batches; seq = position in this log. */
function logWithMarks(seed: number, trades: readonly Trade[] = BTC): Extract<SymbolMessage, { type: "trades" }>[] {
  const random = rng(seed);
  const out: Extract<SymbolMessage, { type: "trades" }>[] = [];
  let maxTime = -Infinity;
  for (let i = 0; i < trades.length; ) {
    const n = 1 + Math.floor(random() * 200);
    const batch = trades.slice(i, i + n);
    for (const t of batch) maxTime = Math.max(maxTime, t.tradeTime);
    out.push({ type: "trades", seq: out.length + 1, trades: batch });
    i += n;
    // An idle mark up to 70 s past the newest trade (trades after it may then be late: that is what it says).
    if (random() < 0.15) out.push({ type: "trades", seq: out.length + 1, trades: [], mark: { at: maxTime + 25_000, watermark: maxTime + Math.floor(random() * 70_000) } });
  }
  if (random() < 0.5) out.push({ type: "trades", seq: out.length + 1, trades: [], mark: { at: maxTime + 1, end: true } });
  return out;
}

test("an idle watermark closes what a trade at that time would close, and no more; an end mark closes every window and candle", () => {
  const state = createSymbolState("BTCUSDT");
  const first = barsOf(drive(state, [{ type: "trades", seq: 1, trades: BTC }]));
  const wm = LAST.tradeTime + 20_000;
  const idle = drive(state, [{ type: "trades", seq: 2, trades: [], mark: { at: wm + 300, watermark: wm } }]);
  const bars = barsOf(idle);
  assert.ok(bars.length >= 1, "the quiet symbol's due windows close");
  for (const b of bars) {
    assert.ok(b.windowEnd <= wm - 2_000, `window ending ${b.windowEnd} closed before its time`);
    assert.equal(b.closedByIngestTime, wm + 300, "closed by the mark's arrival");
  }
  // The same windows a trade at `wm` would have closed (the trade itself would open a new one).
  const byTrade = createWindows("BTCUSDT");
  for (const t of BTC) addTrade(byTrade, t);
  const probe = { ...LAST, tradeId: LAST.tradeId + 1, tradeTime: wm };
  assert.deepEqual(bars.map((b) => b.windowStart), addTrade(byTrade, probe).closedBars.map((b) => b.windowStart));
  assert.ok(bars.every((b) => b.features === null || typeof b.prediction === "number"), "features and predictions as for any bar");

  // A trade older than the mark's watermark is now late.
  const late = drive(state, [{ type: "trades", seq: 3, trades: [{ ...LAST, tradeId: LAST.tradeId + 1, tradeTime: LAST.tradeTime + 1 }] }]);
  assert.equal(late.filter((e) => e.type === "late-trade").length, 1);

  // The end: everything holding a trade closes, the open candle too.
  const end = drive(state, [{ type: "trades", seq: 4, trades: [], mark: { at: 1, end: true } }]);
  const flushed = createWindows("BTCUSDT");
  const all = [...BTC.flatMap((t) => addTrade(flushed, t).closedBars), ...flushWindows(flushed, 0)];
  assert.deepEqual([...first, ...bars, ...barsOf(end)].map((b) => b.windowStart), all.map((b) => b.windowStart), "every window holding a trade, once");
  assert.equal(state.windows.panes.length, 0, "no window left open");
  assert.equal(state.candles.open.length, 0, "no candle left open");
  assert.ok(candlesOf(end).length >= 1);
  assert.deepEqual(drive(state, [{ type: "trades", seq: 5, trades: [], mark: { at: 2, end: true } }]), [], "a second end closes nothing");
});

test("property: over random logs of trades and marks, a restore at any point gives the bars and candles of the uninterrupted run, and verify's replay expects exactly those windows", () => {
  for (let seed = 1; seed <= 12; seed++) {
    const log = logWithMarks(seed);
    const whole = drive(createSymbolState("BTCUSDT"), log);
    const random = rng(1000 + seed);
    for (let k = 0; k < 3; k++) {
      const cut = 1 + Math.floor(random() * (log.length - 1));
      const live = createSymbolState("BTCUSDT");
      const before = drive(live, log.slice(0, cut));
      const restored = restoreSymbolState(JSON.parse(JSON.stringify(snapshotSymbolState(live))), naivePredictor);
      // The log redelivers from a little before the snapshot: marks included.
      const after = drive(restored, log.slice(Math.max(0, cut - 2)));
      assert.deepEqual([...barsOf(before), ...barsOf(after)], barsOf(whole), `seed ${seed}, cut ${cut}`);
      assert.deepEqual([...candlesOf(before), ...candlesOf(after)], candlesOf(whole), `seed ${seed}, cut ${cut}`);
    }
    const expected = new ExpectedBars("BTCUSDT");
    for (const m of log) {
      for (const t of m.trades) expected.add(t);
      if (m.mark) expected.mark(m.mark as EventTimeMark);
    }
    const first = expected.firstIndex!;
    const published = barsOf(whole).map((b) => b.windowStart / expected.slideMs).filter((i) => i >= first);
    assert.deepEqual([...expected.windows.ranges()].flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => from + i)), published, `seed ${seed}: verify expects the windows the actor closed`);
  }
});
