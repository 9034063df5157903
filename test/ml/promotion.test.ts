import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PROMOTION_RULES, decidePromotion, pickChampion, roundAlpha, selectionForecast, type WindowScore } from "../../src/ml/promotion.js";
import { evaluatePredictions } from "../../src/ml/metrics.js";
import { gaussian, seededRng } from "../../src/ml/rng.js";

const window = { from: 1_000, to: 2_000, rows: 200 };
/** A score with a Clark–West p-value (default: far below any round's level). */
const score = (rmse: number, rmseNaive = 10, cwPValue = 1e-9, w = window, predictions?: number[]): WindowScore => ({
  window: w,
  metrics: { rmse, rmseNaive, skill: 1 - rmse / rmseNaive, dmStat: 0, cwStat: 0, cwPValue },
  ...(predictions ? { predictions } : {}),
});

// Held-out rows for challenger-vs-champion tests: target 0, so a loss is the prediction squared.
const N = 200;
const target = new Array<number>(N).fill(0);
const heldOut = { target, horizon: 1 };
const preds = (f: (i: number) => number) => Array.from({ length: N }, (_, i) => f(i));

test("the day's false-promotion budget is spent as 1/(k·H(288)) over round k: the first day's rounds spend exactly it", () => {
  const rules = DEFAULT_PROMOTION_RULES;
  assert.deepEqual({ ...rules }, { minTestRows: 100, falsePromotionRate: 0.05, roundsPerDay: 288, rowsPerRound: 30, minSkill: 0 });
  let h = 0;
  for (let k = 1; k <= 288; k++) h += 1 / k;
  assert.ok(Math.abs(roundAlpha(rules, 30) - 0.05 / h) < 1e-18, "round 1");
  assert.equal(roundAlpha(rules, 31), roundAlpha(rules, 60), "rows 31–60 are round 2");
  let day1 = 0, day2 = 0;
  for (let k = 1; k <= 288; k++) day1 += roundAlpha(rules, 30 * k);
  for (let k = 289; k <= 576; k++) day2 += roundAlpha(rules, 30 * k);
  assert.ok(Math.abs(day1 - 0.05) < 1e-15, `day 1 spends ${day1}`);
  assert.ok(day2 < 0.05 * 0.12, `day 2 spends ${day2}`);
  assert.equal(roundAlpha(rules), roundAlpha(rules, 288 * 30), "unknown round: the first day's strictest share");
});

test("rounds before the first that can test spend nothing: round 1 is at firstRows", () => {
  const rules = DEFAULT_PROMOTION_RULES;
  assert.equal(roundAlpha(rules, 150, 150), roundAlpha(rules, 30), "150 rows, the first testable round, is round 1");
  assert.equal(roundAlpha(rules, 151, 150), roundAlpha(rules, 60), "151–180 rows are round 2");
  assert.equal(roundAlpha(rules, 180, 150), roundAlpha(rules, 60));
  assert.equal(roundAlpha(rules, 100, 150), roundAlpha(rules, 30), "a smaller dataset cannot test; its index is still at least 1");
  for (let rows = 1; rows <= 3_000; rows += 7) assert.equal(roundAlpha(rules, rows, 30), roundAlpha(rules, rows), `rows ${rows}: firstRows = rowsPerRound is the default`);
  // The first day of testing rounds (every 30 rows from 150) spends exactly the budget.
  let day1 = 0;
  for (let k = 0; k < 288; k++) day1 += roundAlpha(rules, 150 + 30 * k, 150);
  assert.ok(Math.abs(day1 - 0.05) < 1e-15, `day 1 spends ${day1}`);
  assert.throws(() => roundAlpha(rules, 300, 0), RangeError);
  // Named in the reason: 300 rows from 150 is round 6.
  assert.match(decidePromotion(score(9.9, 10, 0.01), null, rules, { rows: 300, firstRows: 150 }).detail, /round 6's share 0\.0013 of α/);
});

test("promotion table against naive", () => {
  const a = roundAlpha(DEFAULT_PROMOTION_RULES);
  const cases: { name: string; candidate: WindowScore; promote: boolean; reason: string }[] = [
    { name: "significant and better", candidate: score(9), promote: true, reason: "beats-naive" },
    { name: "99 held-out rows", candidate: score(9, 10, 1e-9, { ...window, rows: 99 }), promote: false, reason: "too-few-test-rows" },
    { name: "worse than naive", candidate: score(11), promote: false, reason: "not-better-than-naive" },
    { name: "equal to naive", candidate: score(10), promote: false, reason: "not-better-than-naive" },
    { name: "significant at 5 % but not at the round's level", candidate: score(9.9, 10, 0.01), promote: false, reason: "not-significant-vs-naive" },
    { name: "just at the level", candidate: score(9.9, 10, a), promote: true, reason: "beats-naive" },
  ];
  for (const c of cases) {
    const d = decidePromotion(c.candidate, null);
    assert.equal(d.promote, c.promote, c.name);
    assert.equal(d.reason, c.reason, `${c.name}: ${d.detail}`);
  }
  assert.match(decidePromotion(score(9.9, 10, 0.01), null).detail, /Clark–West t .*p 0\.010 > level 0\.000028 \(round 288's share 0\.000028 of α 0\.05\/day, 1 candidate\)/);
  // With the round known (300 rows: round 10) the level is 28.8 times round 288's.
  assert.match(decidePromotion(score(9.9, 10, 0.01), null, DEFAULT_PROMOTION_RULES, { rows: 300 }).detail, /level 0\.00080 \(round 10's share/);
});

test("the league's selection forecast: each row by the candidate with the lowest squared error on the rows before it", () => {
  const n = 300;
  const target = Array.from({ length: n }, (_, i) => 100 + (i % 7));
  // c0 errs by 1 on every row, c1 by 2 on the first 50 rows and then not at all, c2 by 3.
  const c0 = target.map((y) => y + 1), c1 = target.map((y, i) => (i < 50 ? y + 2 : y)), c2 = target.map((y) => y - 3);
  const one = selectionForecast([c0, c1, c2], target, 1, 10);
  // Before row i the squared errors are c0: i, c1: 4·50 = 200 (from row 50): c1 leads only from row 201 (a tie keeps c0).
  for (let i = 0; i < n; i++) assert.equal(one.forecast[i], i <= 200 ? c0[i] : c1[i], `row ${i}`);
  assert.equal(one.leader, 1);
  // Horizon 2: row i knows the labels of rows up to i − 2, so c1 leads one row later.
  const two = selectionForecast([c0, c1, c2], target, 2, 10);
  for (let i = 0; i < n; i++) assert.equal(two.forecast[i], i <= 201 ? c0[i] : c1[i], `horizon 2, row ${i}`);
  // The burn-in keeps the first candidate even when another is better from the start.
  const burn = selectionForecast([c2, c0], target, 1, 30);
  for (let i = 0; i < 30; i++) assert.equal(burn.forecast[i], c2[i]);
  assert.equal(burn.forecast[30], c0[30]);
  assert.throws(() => selectionForecast([], target), RangeError);
  assert.throws(() => selectionForecast([c0, c1.slice(1)], target), /299 predictions for 300/);
});

test("the selection forecast uses only the past: a later label never changes an earlier row's forecast", () => {
  const rng = seededRng(11);
  for (let trial = 0; trial < 50; trial++) {
    const n = 60 + Math.floor(rng() * 60), m = 2 + Math.floor(rng() * 3), h = 1 + Math.floor(rng() * 3);
    const target = Array.from({ length: n }, () => gaussian(rng));
    const preds = Array.from({ length: m }, () => Array.from({ length: n }, () => gaussian(rng)));
    const k = Math.floor(rng() * n);
    const changed = target.slice();
    changed[k] = changed[k]! + 10 * gaussian(rng);
    const a = selectionForecast(preds, target, h, 5).forecast, b = selectionForecast(preds, changed, h, 5).forecast;
    // Row k's label is first known at row k + h.
    for (let i = 0; i < Math.min(n, k + h); i++) assert.equal(a[i], b[i], `trial ${trial}: row ${i} moved with the label of row ${k} (h ${h})`);
  }
});

/** A league on rows with last price 100: candidate `skill` predicts that share of the coming move, plus its own noise. */
function league(seed: number, skills: number[]) {
  const rng = seededRng(seed);
  const rows = 400;
  const last = new Array<number>(rows).fill(100);
  const move = Array.from({ length: rows }, () => gaussian(rng));
  const target = move.map((r) => 100 + r);
  const runs = skills.map((share, c) => {
    const predictions = move.map((r) => 100 + share * r + 0.3 * gaussian(rng));
    return { id: `c${c}`, window: { from: 0, to: rows - 1, rows }, metrics: evaluatePredictions(predictions, target, last), predictions };
  });
  return { runs, round: { rows: 2_000, target, last, horizon: 1 } };
}

test("a league is tested as one selection forecast, not candidate by candidate: the selected candidate wins, the others are outranked", () => {
  const { runs, round } = league(1, [0, 0.4, 0, 0]);
  const r = pickChampion(runs, null, DEFAULT_PROMOTION_RULES, round);
  assert.equal(r.winner?.id, "c1");
  assert.match(r.decisions[1]!.decision.detail, /selection forecast Clark–West t \d+\.\d+, p .* ≤ .*4 candidates as one selection forecast/);
  for (const d of r.decisions.filter((d) => d.run.id !== "c1")) assert.match(d.decision.reason, /^(outranked|not-better-than-naive)$/, d.decision.detail);
  // Candidates with nothing to say: nothing is promoted, each with a reason.
  for (const seed of [2, 3, 4]) {
    const noise = league(seed, [0, 0, 0, 0]);
    const q = pickChampion(noise.runs, null, DEFAULT_PROMOTION_RULES, noise.round);
    assert.equal(q.winner, null);
    for (const d of q.decisions) assert.match(d.decision.reason, /^(not-significant-vs-naive|not-better-than-naive)$/);
  }
  // Without the rows' predictions, targets and last prices a league cannot be tested.
  assert.throws(() => pickChampion(runs, null, DEFAULT_PROMOTION_RULES, { rows: 2_000 }), /predictions and the held-out target and last prices/);
  assert.throws(() => pickChampion([score(9), score(8)], null, DEFAULT_PROMOTION_RULES, round), /predictions/);
});

test("challenger vs champion: a significance test on the same rows, not a lower RMSE", () => {
  // Champion errs by 1 on every row, the challenger by 0.5 or 1.3 in turn: mean squared error
  // 0.97 < 1 (lower RMSE), but the loss differential (+0.75, −0.69) is noise around +0.03.
  const champion = score(1, 10, 1e-9, window, preds((i) => (i % 2 ? 1 : -1)));
  const slightly = score(Math.sqrt(0.97), 10, 1e-9, window, preds((i) => (i % 2 ? 0.5 : 1.3)));
  const d = decidePromotion(slightly, champion, DEFAULT_PROMOTION_RULES, heldOut);
  assert.equal(d.reason, "not-significant-vs-champion", d.detail);
  // A challenger with a fraction of the champion's errors on most rows: significant.
  const clearly = score(0.5, 10, 1e-9, window, preds((i) => (i % 10 === 0 ? 1 : 0.3) * (i % 2 ? 1 : -1)));
  const win = decidePromotion(clearly, champion, DEFAULT_PROMOTION_RULES, heldOut);
  assert.equal(win.promote, true, win.detail);
  assert.equal(win.reason, "beats-naive-and-champion");
  assert.match(win.detail, /^Diebold–Mariano vs champion t \d/);
  // Not better at all, or on another window.
  assert.equal(decidePromotion(score(1.2, 10, 1e-9, window, preds(() => 1.2)), champion, DEFAULT_PROMOTION_RULES, heldOut).reason, "not-better-than-champion");
  assert.equal(decidePromotion(clearly, { ...champion, window: { ...window, from: 500 } }, DEFAULT_PROMOTION_RULES, heldOut).reason, "window-mismatch");
  // Only rows newer than the champion's data count: 50 of them are too few, 120 are enough.
  const newest = (k: number) => score(1, 10, 1e-9, { from: 2_000 - k, to: 2_000, rows: k }, preds((i) => (i % 2 ? 1 : -1)).slice(0, k));
  const few = decidePromotion(clearly, newest(50), DEFAULT_PROMOTION_RULES, heldOut);
  assert.equal(few.reason, "too-few-rows-vs-champion", few.detail);
  const enough = decidePromotion(clearly, newest(120), DEFAULT_PROMOTION_RULES, heldOut);
  assert.equal(enough.reason, "beats-naive-and-champion", enough.detail);
  assert.match(enough.detail, /on the 120 rows newer than the champion/);
  // Without predictions the champion cannot be tested: a programming error, not a silent pass.
  assert.throws(() => decidePromotion(score(0.5), score(1), DEFAULT_PROMOTION_RULES, heldOut), /predictions/);
});

test("rules are configurable and validated", () => {
  const rules = { ...DEFAULT_PROMOTION_RULES, minTestRows: 20, roundsPerDay: 1, minSkill: 0.05 };
  assert.equal(decidePromotion(score(9.6, 10, 0.01, { ...window, rows: 20 }), null, rules).reason, "not-better-than-naive");
  assert.equal(decidePromotion(score(9, 10, 0.01, { ...window, rows: 20 }), null, rules).promote, true);
  assert.throws(() => decidePromotion(score(9), null, { ...rules, falsePromotionRate: 0 }), RangeError);
  assert.throws(() => decidePromotion(score(9), null, { ...rules, minTestRows: 1.5 }), RangeError);
  assert.equal(pickChampion([], null).winner, null);
});
