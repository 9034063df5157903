import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FEATURE_NAMES,
  FEATURE_WARMUP_BARS,
  featureMatrix,
  features,
  featuresAt,
  featuresFromBars,
  nextBarLabel,
  type FeatureBar,
} from "../../src/market/features.js";
import { addTrade, createWindows } from "../../src/market/windows.js";
import type { Bar } from "../../src/market/bar.js";
import { btcTrades } from "./fixtures.js";

// Eleven bars: close_i and volatility_i chosen so every feature is easy to compute by hand.
const CLOSES = [10, 12, 11, 13, 15, 14, 16, 18, 17, 20, 19];
const VOLS = [0.5, 0.25, 1, 0.75, 0.5, 2, 1.5, 1, 0.25, 3, 2.5];
const BARS: FeatureBar[] = CLOSES.map((close, i) => ({ close, volatility: VOLS[i]! }));

test("warm-up: no features before the 10th bar", () => {
  assert.equal(FEATURE_WARMUP_BARS, 10);
  for (let n = 0; n < 10; n++) assert.equal(featuresFromBars(BARS.slice(0, n)), null, `${n} bars`);
  assert.notEqual(featuresFromBars(BARS.slice(0, 10)), null);
  assert.equal(featuresAt(BARS, 11), null);
  assert.equal(featuresAt(BARS, -1), null);
});

test("hand-computed features (price = bar close)", () => {
  const table: [number, Record<string, number>][] = [
    // i = 9: closes 10,12,11,13,15,14,16,18,17,20 (sum 146); last five 14,16,18,17,20 (sum 85)
    [9, { volatility: 3, lag_1: 17, lag_3: 16, ma_5: 17, ma_10: 14.6, momentum: 4, volatility_change: 2.75 }],
    // i = 10: closes 12..19 (sum 146 − 10 + 19 = 155); last five 16,18,17,20,19 (sum 90)
    [10, { volatility: 2.5, lag_1: 20, lag_3: 18, ma_5: 18, ma_10: 15.5, momentum: 1, volatility_change: -0.5 }],
  ];
  for (const [i, want] of table) {
    const got = featuresAt(BARS, i)!;
    for (const name of FEATURE_NAMES) assert.ok(Math.abs(got[name] - want[name]!) < 1e-12, `i=${i} ${name}: ${got[name]} vs ${want[name]}`);
  }
  assert.deepEqual(Object.keys(featuresAt(BARS, 9)!).sort(), [...FEATURE_NAMES].sort());
});

test("label is the next bar's price; the newest bar has none", () => {
  assert.equal(nextBarLabel(BARS, 9), 19);
  assert.equal(nextBarLabel(BARS, 10), null);
});

test("no leakage: features of bar i do not change when later bars change", () => {
  const changed = BARS.map((b, i) => (i > 9 ? { close: 1e6, volatility: 1e6 } : b));
  assert.deepEqual(featuresAt(changed, 9), featuresAt(BARS, 9));
});

test("featureMatrix: one row per bar past warm-up that has a next bar, columns in FEATURE_NAMES order", () => {
  const m = featureMatrix(BARS);
  assert.deepEqual(m.barIndex, [9]);
  assert.deepEqual(m.y, [19]);
  assert.deepEqual(m.price, [20]);
  assert.deepEqual(m.X[0], FEATURE_NAMES.map((n) => featuresAt(BARS, 9)![n]));
  assert.equal(features.fromBars, featuresFromBars);
});

function realBars(): Bar[] {
  const s = createWindows("BTCUSDT");
  const bars: Bar[] = [];
  for (const t of btcTrades()) bars.push(...addTrade(s, t).closedBars);
  return bars;
}

test("online = offline on real bars: each training row equals the live call on the history so far, and a direct computation", () => {
  const bars = realBars();
  const m = featureMatrix(bars);
  assert.equal(m.X.length, bars.length - FEATURE_WARMUP_BARS);
  for (let r = 0; r < m.X.length; r++) {
    const i = m.barIndex[r]!;
    // What the SymbolActor does: features of the latest bar of a history bounded to 10 bars.
    const online = featuresFromBars(bars.slice(Math.max(0, i + 1 - FEATURE_WARMUP_BARS), i + 1))!;
    assert.deepEqual(m.X[r], FEATURE_NAMES.map((n) => online[n]));
    // A direct, slice-based computation of the definitions.
    const p = bars.map((b) => b.close);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const direct = [
      bars[i]!.volatility,
      p[i - 1]!,
      p[i - 3]!,
      mean(p.slice(i - 4, i + 1)),
      mean(p.slice(i - 9, i + 1)),
      p[i]! - p[i - 3]!,
      bars[i]!.volatility - bars[i - 1]!.volatility,
    ];
    for (let c = 0; c < direct.length; c++) assert.ok(Math.abs(m.X[r]![c]! - direct[c]!) <= 1e-9, `row ${r} col ${FEATURE_NAMES[c]}`);
    assert.equal(m.y[r], bars[i + 1]!.close);
  }
});
