import { test } from "node:test";
import assert from "node:assert/strict";
import { decidePromotion, pickChampion, type WindowScore } from "../../src/ml/promotion.js";

const window = { from: 1_000, to: 2_000, rows: 200 };
const score = (rmse: number, rmseNaive = 10, dmStat = 3, w = window): WindowScore => ({
  window: w,
  metrics: { rmse, rmseNaive, skill: 1 - rmse / rmseNaive, dmStat },
});

test("promotion table", () => {
  const cases: { name: string; candidate: WindowScore; champion: WindowScore | null; promote: boolean; reason: string }[] = [
    { name: "first model that beats naive", candidate: score(9), champion: null, promote: true, reason: "beats-naive" },
    { name: "beats naive and champion", candidate: score(8), champion: score(9), promote: true, reason: "beats-naive-and-champion" },
    { name: "beats naive, not the champion", candidate: score(9), champion: score(8.5), promote: false, reason: "not-better-than-champion" },
    { name: "ties the champion", candidate: score(9), champion: score(9), promote: false, reason: "not-better-than-champion" },
    { name: "worse than naive", candidate: score(11, 10, -2), champion: null, promote: false, reason: "not-better-than-naive" },
    { name: "equal to naive", candidate: score(10, 10, 0), champion: null, promote: false, reason: "not-better-than-naive" },
    { name: "beats naive by noise only", candidate: score(9.99, 10, 0.4), champion: null, promote: false, reason: "not-significant-vs-naive" },
    {
      name: "champion scored on another window",
      candidate: score(8),
      champion: score(9, 10, 3, { ...window, from: 500 }),
      promote: false,
      reason: "window-mismatch",
    },
    { name: "worse than naive even if the champion is worse still", candidate: score(10.5, 10, -1), champion: score(12), promote: false, reason: "not-better-than-naive" },
  ];
  for (const c of cases) {
    const d = decidePromotion(c.candidate, c.champion);
    assert.equal(d.promote, c.promote, c.name);
    assert.equal(d.reason, c.reason, c.name);
  }
});

test("rules are configurable: minimum skill and improvement over the champion", () => {
  const rules = { minSkill: 0.05, minDmStat: 0, minImprovement: 0.1 };
  assert.equal(decidePromotion(score(9.6), null, rules).reason, "not-better-than-naive");
  assert.equal(decidePromotion(score(9), score(9.5), rules).reason, "not-better-than-champion");
  assert.equal(decidePromotion(score(8), score(9.5), rules).promote, true);
});

test("pickChampion takes the lowest-RMSE promotable run, or none", () => {
  const runs = [{ id: "a", ...score(9) }, { id: "b", ...score(8.5) }, { id: "c", ...score(8, 10, 1) }];
  assert.equal(pickChampion(runs, null).winner?.id, "b"); // c has the lowest RMSE but is not significant
  assert.equal(pickChampion(runs, score(8.2)).winner, null);
  assert.equal(pickChampion([], null).winner, null);
});
