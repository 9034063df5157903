import { test } from "node:test";
import assert from "node:assert/strict";
import { clarkWest, dieboldMariano, hlnFactor, meanTest, neweyWestLag, neweyWestVariance } from "../../src/ml/forecast-tests.js";
import { tSurvival } from "../../src/ml/student-t.js";
import { gaussian, seededRng } from "../../src/ml/rng.js";

const close = (a: number, b: number, eps = 1e-12, what = "") => assert.ok(Math.abs(a - b) <= eps, `${what} ${a} ≉ ${b}`);

test("Newey–West variance of a hand-computed series", () => {
  // d = 1, −1, 1, −1: mean 0, γ0 = 1, γ1 = −3/4, γ2 = 2/4 (autocovariances over n = 4).
  const d = [1, -1, 1, -1];
  close(neweyWestVariance(d, 0), 1);
  close(neweyWestVariance(d, 1), 1 + 2 * (1 / 2) * -0.75);
  close(neweyWestVariance(d, 2), 1 + 2 * (2 / 3) * -0.75 + 2 * (1 / 3) * 0.5);
  assert.equal(neweyWestVariance([2, 2, 2], 1), 0);
  assert.throws(() => neweyWestVariance([], 0), RangeError);
  assert.throws(() => neweyWestVariance([1, 2], -1), RangeError);
});

test("bandwidth rule and HLN factor", () => {
  assert.equal(neweyWestLag(100), 4);
  assert.equal(neweyWestLag(1000), Math.floor(4 * 10 ** (2 / 9))); // 6
  assert.equal(neweyWestLag(20, 10), 9, "never below h − 1");
  close(hlnFactor(100, 1), Math.sqrt(99 / 100));
  close(hlnFactor(10, 2), Math.sqrt((10 + 1 - 4 + 2 / 10) / 10));
});

test("mean test: statistic, HLN factor and Student t p-value by hand", () => {
  // 1..5 with lag 0: mean 3, variance (over n) 2, se √(2/5), HLN √(4/5), df 4.
  const r = meanTest([1, 2, 3, 4, 5], 1, 0);
  const stat = (3 / Math.sqrt(2 / 5)) * Math.sqrt(4 / 5);
  close(r.stat, stat);
  assert.equal(r.df, 4);
  close(r.pValue, tSurvival(stat, 4));
  assert.deepEqual([meanTest([0, 0, 0]).stat, meanTest([0, 0, 0]).pValue], [0, 0.5]);
  assert.deepEqual([meanTest([1, 1, 1]).stat, meanTest([1, 1, 1]).pValue], [Infinity, 0]);
  assert.throws(() => meanTest([1]), RangeError);
});

test("HAC: positively autocorrelated differentials are not taken as more evidence than they hold", () => {
  // An MA(4) differential with a small positive mean: the plain (lag-0) statistic overstates it.
  const rng = seededRng(3);
  const e = Array.from({ length: 2004 }, () => gaussian(rng));
  const d = Array.from({ length: 2000 }, (_, i) => 0.1 + e[i]! + e[i + 1]! + e[i + 2]! + e[i + 3]! + e[i + 4]!);
  const plain = meanTest(d, 1, 0);
  const hac = meanTest(d, 1, 8);
  assert.ok(hac.longRunVariance > 3 * plain.longRunVariance, `${hac.longRunVariance} vs ${plain.longRunVariance}`);
  assert.ok(hac.stat < plain.stat / 1.7);
});

test("Diebold–Mariano direction and Clark–West's identity", () => {
  const lossA = [4, 1, 9, 0.25, 2];
  const lossB = [1, 1, 4, 0.25, 1];
  const dm = dieboldMariano(lossA, lossB);
  assert.ok(dm.stat > 0 && dm.pValue < 0.5, "B has the lower loss");
  close(dieboldMariano(lossB, lossA).stat, -dm.stat);
  assert.throws(() => dieboldMariano([1], [1, 2]), RangeError);
  // e_naive² − (e² − (ŷ − last)²) = 2 (ŷ − last)(y − last), row by row.
  const last = [100, 101, 99, 100, 102, 101];
  const y = [101, 99, 100, 102, 101, 100];
  const pred = [100.4, 100.2, 99.5, 100.9, 101.6, 101.1];
  const long = y.map((v, i) => (v - last[i]!) ** 2 - ((v - pred[i]!) ** 2 - (pred[i]! - last[i]!) ** 2));
  close(clarkWest(pred, y, last).stat, meanTest(long).stat, 1e-9);
  // The naive forecast itself carries no signal: statistic 0.
  assert.equal(clarkWest(last, y, last).stat, 0);
});
