import { test } from "node:test";
import assert from "node:assert/strict";
import { buildDataset, slideOf, type TrainingBar } from "../../src/mlops/index.js";

const T0 = 1_700_000_000_000;
const bar = (k: number): TrainingBar => ({ symbol: "GAPUSDT", windowStart: T0 + k * 10_000 - 30_000, windowEnd: T0 + k * 10_000, close: 100 + Math.sin(k), volatility: 0.1 + (k % 3) / 10 });

test("rows whose lags or label span a missing window are excluded; the others are unchanged", () => {
  const full = Array.from({ length: 40 }, (_, k) => bar(k));
  const whole = buildDataset(full);
  assert.equal(whole.slideMs, 10_000);
  assert.equal(whole.excluded, 0);
  assert.equal(whole.dataset.rows, 30);

  // Window 20 had no trade: bars 19 and 21 are 20 s apart. Rows of bars 19 … 28 read across
  // that step (ma_10 reaches 9 bars back, the label 1 bar ahead): 10 rows out of 29.
  const gapped = full.filter((_, k) => k !== 20);
  const built = buildDataset(gapped);
  assert.equal(built.excluded, 10);
  assert.equal(built.dataset.rows, 19);
  const kept = Array.from(built.dataset.time, (t) => (t - T0) / 10_000);
  assert.deepEqual(kept, [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 30, 31, 32, 33, 34, 35, 36, 37, 38]);
  // A kept row equals the row of the gap-free series at the same bar (features read no gap).
  const row = (ds: typeof whole.dataset, i: number) => Array.from(ds.x.subarray(i * 7, i * 7 + 7));
  assert.deepEqual(row(built.dataset, 10), row(whole.dataset, 30 - 9));
  assert.equal(slideOf([bar(1)]), null);
});
