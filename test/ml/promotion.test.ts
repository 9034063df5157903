import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PROMOTION_RULES, decidePromotion, pickChampion, roundAlpha, type WindowScore } from "../../src/ml/promotion.js";

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
  assert.match(decidePromotion(score(9.9, 10, 0.01), null).detail, /Clark–West t .*p 0\.010 > Holm level 0\.000028 \(round 288's share 0\.000028 of α 0\.05\/day, 1 candidate\)/);
  // With the round known (300 rows: round 10) the level is 28.8 times round 288's.
  assert.match(decidePromotion(score(9.9, 10, 0.01), null, DEFAULT_PROMOTION_RULES, { rows: 300 }).detail, /Holm level 0\.00080 \(round 10's share/);
});

test("Holm across the round's candidates: the smallest p faces α/m, a failed candidate still counts", () => {
  const a = roundAlpha(DEFAULT_PROMOTION_RULES);
  // Alone, p = α/2 is significant; among 4 candidates it must be ≤ α/4.
  const runs = [{ id: "a", ...score(9, 10, a / 2) }, { id: "b", ...score(11, 10, 0.5) }, { id: "c", ...score(12, 10, 0.9) }, { id: "d", ...score(13, 10, 0.6) }];
  const r = pickChampion(runs, null);
  assert.equal(r.winner, null);
  assert.equal(r.decisions[0]!.decision.reason, "not-significant-vs-naive");
  assert.equal(pickChampion([runs[0]!], null).winner?.id, "a");
  // Step-down: p₁ ≤ α/3 and p₂ ≤ α/2 both pass; the lower RMSE wins, the other is outranked.
  const two = [{ id: "x", ...score(9, 10, a / 3) }, { id: "y", ...score(8.5, 10, a / 2) }, { id: "z", ...score(9.5, 10, 0.3) }];
  const t = pickChampion(two, null);
  assert.equal(t.winner?.id, "y");
  assert.equal(t.decisions.find((d) => d.run.id === "x")!.decision.reason, "outranked");
  assert.equal(t.decisions.find((d) => d.run.id === "z")!.decision.reason, "not-significant-vs-naive");
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
