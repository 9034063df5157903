import { test } from "node:test";
import assert from "node:assert/strict";
import { chronologicalSplit, datasetFromRows, validateDataset, type Dataset } from "../../src/ml/dataset.js";
import { InsufficientData, InvalidDataset } from "../../src/ml/errors.js";
import { ModelInputs } from "../../src/ml/model-inputs.js";
import { prepareRange, standardize, columnStats } from "../../src/ml/prepare.js";
import { defaultFeatureScaling, priceToReturn, returnToPrice } from "../../src/ml/scaling.js";
import { syntheticMarket } from "../../src/ml/synthetic.js";

function rows(n: number, horizon = 1): Dataset {
  return datasetFromRows(
    Array.from({ length: n }, (_, i) => ({ features: [i, 2 * i], last: 100 + i, target: 100 + i + horizon, time: 1000 * i })),
    ["a", "b"],
    horizon,
  );
}

test("chronological split: first 80% trains, last 20% tests, no shuffling", () => {
  for (const [n, trainEnd] of [[100, 80], [101, 80], [13, 10]] as const) {
    const split = chronologicalSplit(rows(n));
    assert.deepEqual(split, { train: { start: 0, end: trainEnd }, test: { start: trainEnd, end: n } });
  }
});

test("split purges training rows whose label lies in the test window (horizon > 1)", () => {
  const ds = rows(100, 3);
  const split = chronologicalSplit(ds);
  assert.deepEqual(split, { train: { start: 0, end: 78 }, test: { start: 80, end: 100 } });
  // The last training row's label is the price at bar 77 + 3 = 80: the first test bar, never later.
  assert.ok(split.train.end - 1 + ds.horizon <= split.test.start);
});

test("too few rows is InsufficientData with the required count", () => {
  assert.throws(() => chronologicalSplit(rows(12)), (err: unknown) => err instanceof InsufficientData && err.required === 14 && err.rows === 12);
});

test("validation rejects non-finite features, non-positive prices, unordered time, bad shapes", () => {
  const good = rows(20);
  const cases: [string, Dataset][] = [
    ["NaN feature", { ...good, x: Float64Array.from(good.x, (v, i) => (i === 5 ? NaN : v)) }],
    ["zero price", { ...good, last: Float64Array.from(good.last, (v, i) => (i === 3 ? 0 : v)) }],
    ["negative target", { ...good, target: Float64Array.from(good.target, (v, i) => (i === 3 ? -1 : v)) }],
    ["time goes back", { ...good, time: Float64Array.from(good.time, (v, i) => (i === 7 ? 0 : v)) }],
    ["short x", { ...good, x: good.x.subarray(1) }],
    ["horizon 0", { ...good, horizon: 0 }],
  ];
  for (const [what, ds] of cases) assert.throws(() => validateDataset(ds), InvalidDataset, what);
  assert.throws(() => datasetFromRows([{ features: [1], last: 1, target: 1, time: 0 }], ["a", "b"]), /has 1 features, expected 2/);
});

test("market features are made relative to the last price; labels become returns and back", () => {
  assert.deepEqual(defaultFeatureScaling(["volatility", "lag_1", "lag_3", "ma_5", "ma_10", "momentum", "volatility_change", "custom"]), [
    "scale", "level", "level", "level", "level", "scale", "scale", "none",
  ]);
  const ds = datasetFromRows([...Array(3)].map((_, i) => ({ features: [2, 99, 5], last: 100, target: 101 + i, time: i })), ["volatility", "lag_1", "x"]);
  const prepared = prepareRange(ds, { start: 0, end: 3 }, ModelInputs.forFeatures(ds.featureNames, defaultFeatureScaling(ds.featureNames)));
  assert.deepEqual(Array.from(prepared.x.subarray(0, 3)), [0.02, 99 / 100 - 1, 5]);
  assert.deepEqual(Array.from(prepared.y), [101 / 100 - 1, 102 / 100 - 1, 103 / 100 - 1]);
  assert.equal(returnToPrice(priceToReturn(123.45, 120), 120), 123.45);
});

test("standardisation uses population std and maps constant columns to 0", () => {
  const x = Float64Array.from([1, 5, 2, 5, 3, 5]);
  const stats = columnStats(x, 3, 2);
  assert.deepEqual(Array.from(stats.mean), [2, 5]);
  assert.ok(Math.abs(stats.std[0]! - Math.sqrt(2 / 3)) < 1e-15);
  const z = standardize(x, 3, 2, stats);
  assert.deepEqual(Array.from(z).map((v) => +v.toFixed(6)), [-1.224745, 0, 0, 0, 1.224745, 0]);
});

test("synthetic market rows are chronological and their labels are the next bar's price", () => {
  const ds = syntheticMarket({ rows: 50, phi: 0.3, seed: 3 });
  validateDataset(ds);
  for (let i = 0; i + 1 < ds.rows; i++) assert.equal(ds.target[i], ds.last[i + 1]);
  assert.equal(ds.x[1 * 7 + 1], ds.last[0]); // lag_1 of row 1 is the price of row 0
});
