import { test } from "node:test";
import assert from "node:assert/strict";
import { evaluatePredictions, rmse } from "../../src/ml/metrics.js";
import { meanTest } from "../../src/ml/forecast-tests.js";

const close = (a: number, b: number, eps = 1e-12) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test("metrics of a hand-computed case", () => {
  const last = [100, 100, 100, 100];
  const target = [101, 99, 102, 100];
  const pred = [100.5, 99.5, 101, 101];
  const m = evaluatePredictions(pred, target, last);
  close(m.rmse, Math.sqrt((0.25 + 0.25 + 1 + 1) / 4));
  close(m.mae, (0.5 + 0.5 + 1 + 1) / 4);
  close(m.rmseNaive, Math.sqrt((1 + 1 + 4 + 0) / 4));
  close(m.skill, 1 - m.rmse / m.rmseNaive);
  // Mean target 100.5: SS_tot = 0.25 + 2.25 + 2.25 + 0.25 = 5; SS_res = 2.5.
  close(m.r2, 1 - 2.5 / 5);
  // Moves: up, down, up (row 4 did not move): all three predicted in the right direction.
  close(m.directionalAccuracy, 1);
  // DM on d = e_naive² − e² = 0.75, 0.75, 3, −1 and Clark–West on 2 (ŷ − last)(y − last) = 1, 1, 4, 0
  // (Newey–West lag ⌊4 (4/100)^(2/9)⌋ = 1, HLN, t with 3 df: see forecast-tests.test.ts).
  const dm = meanTest([0.75, 0.75, 3, -1], 1, 1);
  const cw = meanTest([1, 1, 4, 0], 1, 1);
  close(m.dmStat, dm.stat);
  close(m.dmPValue, dm.pValue);
  close(m.cwStat, cw.stat);
  close(m.cwPValue, cw.pValue);
});

test("table: direction, skill and DM for reference forecasters", () => {
  const last = [10, 10, 10, 10];
  const target = [11, 9, 11, 9];
  const cases: { name: string; pred: number[]; da: number; skill: number; dm: number }[] = [
    { name: "naive", pred: last, da: 0.5, skill: 0, dm: 0 },
    { name: "perfect", pred: target, da: 1, skill: 1, dm: Infinity },
    { name: "always wrong", pred: [9, 11, 9, 11], da: 0, skill: -1, dm: -Infinity },
  ];
  for (const c of cases) {
    const m = evaluatePredictions(c.pred, target, last);
    assert.equal(m.directionalAccuracy, c.da, c.name);
    close(m.skill, c.skill);
    // A constant nonzero loss differential is certain evidence; none at all is none.
    assert.equal(m.dmStat, c.dm, c.name);
  }
});

test("rmse and argument checks", () => {
  close(rmse([1, 2, 3], [1, 2, 5]), Math.sqrt(4 / 3));
  assert.throws(() => evaluatePredictions([], [], []), RangeError);
  assert.throws(() => evaluatePredictions([1], [1, 2], [1, 2]), RangeError);
});
