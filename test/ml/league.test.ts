import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PARAMS, LEAGUE_ALGORITHMS } from "../../src/ml/algorithms.js";
import { InvalidParams } from "../../src/ml/errors.js";
import { sliceDataset } from "../../src/ml/dataset.js";
import { scoreModel, trainLeague, type LeagueResult } from "../../src/ml/league.js";
import { loadModel } from "../../src/ml/model.js";
import { type Algorithm } from "../../src/ml/model-json.js";
import { decidePromotion, leagueRound, pickChampion } from "../../src/ml/promotion.js";
import { syntheticMarket } from "../../src/ml/synthetic.js";

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Correlation, over the held-out rows, of each model's predicted move with the true expected move. */
function signalRecovery(ds: ReturnType<typeof syntheticMarket>, result: LeagueResult): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of result.runs) {
    const model = loadModel(run.model);
    const predicted: number[] = [], expected: number[] = [];
    for (let r = result.split.test.start; r < ds.rows; r++) {
      predicted.push(model.predict(Array.from(ds.x.subarray(r * 7, r * 7 + 7)), ds.last[r]!) - ds.last[r]!);
      expected.push(ds.signal[r]! - ds.last[r]!);
    }
    out.set(run.kind, correlation(predicted, expected));
  }
  return out;
}

// ml-random-forest (ml-cart) is quadratic in rows: it gets a smaller dataset and forest.
const cases: { algorithms: Algorithm[]; rows: number }[] = [
  { algorithms: [...LEAGUE_ALGORITHMS], rows: 10_000 },
  { algorithms: ["ml-random-forest"], rows: 2_000 },
];
const mljsSmall = { "ml-random-forest": { nTrees: 5, maxDepth: 5 } };

test("on an AR(1) return process every algorithm recovers the signal, beats naive and is promoted", () => {
  for (const { algorithms, rows } of cases) {
    const ds = syntheticMarket({ rows, phi: 0.5, seed: 1 });
    const result = trainLeague(ds, { algorithms, params: mljsSmall });
    const recovery = signalRecovery(ds, result);
    for (const run of result.runs) {
      assert.ok(recovery.get(run.kind)! > 0.8, `${run.kind} recovers the signal: corr ${recovery.get(run.kind)}`);
      assert.ok(run.metrics.rmse < result.naive.metrics.rmse, `${run.kind} beats naive`);
      assert.equal(run.metrics.rmseNaive, result.naive.metrics.rmse);
      assert.deepEqual(decidePromotion(run, null).promote, true, `${run.kind} promoted`);
    }
    assert.notEqual(pickChampion(result.runs, null, undefined, leagueRound(ds, result.split.test)).winner, null);
  }
});

test("ElasticNet puts its weight on lag_1 with the AR sign", () => {
  const result = trainLeague(syntheticMarket({ rows: 10_000, phi: 0.5, seed: 2 }), { algorithms: ["elasticnet"] });
  const run = result.runs[0]!;
  assert.ok(run.importances.lag_1! > 0.9, JSON.stringify(run.importances));
  // lag_1 / last − 1 ≈ −r_t and the next return is 0.5·r_t, so the weight is negative.
  const body = run.model.kind === "elasticnet" ? run.model.body : assert.fail("not an elasticnet model");
  assert.ok(body.coef[1]! < 0);
});

test("on a pure random walk no model is promoted over naive", () => {
  for (const seed of [3, 4]) {
    for (const { algorithms, rows } of cases) {
      const ds = syntheticMarket({ rows, phi: 0, seed });
      const result = trainLeague(ds, { algorithms, params: mljsSmall });
      const { winner, decisions } = pickChampion(result.runs, null, undefined, leagueRound(ds, result.split.test));
      assert.equal(winner, null, decisions.map((d) => `${d.run.kind}: ${d.decision.reason}`).join(", "));
    }
  }
});

test("each run records params, row counts, time range, importances and durations", () => {
  const ds = syntheticMarket({ rows: 1_000, phi: 0.3, seed: 5 });
  const result = trainLeague(ds, { params: { "random-forest": { nTrees: 4 } } });
  assert.deepEqual(result.runs.map((r) => r.kind), LEAGUE_ALGORITHMS);
  for (const run of [result.naive, ...result.runs]) {
    // Walk-forward: rows 200–999 held out in 5 folds; the served model is the last fold's (trained on 0–839).
    assert.deepEqual(run.rows, { train: 840, test: 800 });
    assert.deepEqual(run.timeRange, {
      train: { from: ds.time[0], to: ds.time[839] },
      test: { from: ds.time[200], to: ds.time[999] },
    });
    assert.deepEqual(run.window, { from: ds.time[200], to: ds.time[999], rows: 800 });
    assert.equal(run.predictions.length, 800);
    assert.equal(run.horizon, 1);
    assert.ok(run.durationMs >= run.fitMs && run.fitMs >= 0);
    assert.deepEqual(Object.keys(run.importances), ds.featureNames);
    const total = Object.values(run.importances).reduce((a, b) => a + b, 0);
    assert.ok(run.kind === "naive" ? total === 0 : Math.abs(total - 1) < 1e-9, `${run.kind} importances sum ${total}`);
  }
  const forest = result.runs.find((r) => r.kind === "random-forest")!;
  assert.deepEqual(forest.params, { ...DEFAULT_PARAMS["random-forest"], nTrees: 4 });
});

test("scoreModel re-scores the stored model (the last fold's) with the run's own forecasts of the last block", () => {
  const ds = syntheticMarket({ rows: 1_000, phi: 0.3, seed: 6 });
  const result = trainLeague(ds, { algorithms: ["gradient-boosting"] });
  const run = result.runs[0]!;
  const model = loadModel(run.model);
  assert.deepEqual(scoreModel(model, ds, result.split.test).window, run.window);
  const lastBlock = { start: 840, end: 1_000 };
  const score = scoreModel(model, ds, lastBlock);
  const tail = run.predictions.subarray(840 - 200);
  score.predictions.forEach((p, i) => assert.ok(Math.abs(p - tail[i]!) <= 1e-12 * p, `row ${840 + i}: ${p} vs ${tail[i]}`));
});

test("bad parameter overrides are rejected by name", () => {
  const ds = syntheticMarket({ rows: 100, phi: 0, seed: 7 });
  assert.throws(() => trainLeague(ds, { params: { "decision-tree": { maxDepth: 0 } } }), (e: unknown) => e instanceof InvalidParams && /maxDepth/.test(e.message));
  assert.throws(() => trainLeague(ds, { params: { elasticnet: { alpha: 1 } as never } }), /elasticnet has no parameter "alpha"/);
});

test("a later league faces the champion re-scored on the held-out rows newer than the champion's data", () => {
  const ds = syntheticMarket({ rows: 8_000, phi: 0.5, seed: 8 });
  const first = trainLeague(sliceDataset(ds, 0, 4_000));
  const champion = pickChampion(first.runs, null, undefined, leagueRound(sliceDataset(ds, 0, 4_000), first.split.test)).winner;
  assert.ok(champion, "the first league crowns a champion on AR(1) data");
  const second = trainLeague(ds);
  const heldOut = leagueRound(ds, second.split.test);
  // The stored champion's own score is on an older window: not comparable.
  assert.equal(decidePromotion(second.runs[0]!, champion, undefined, heldOut).reason, "window-mismatch");
  assert.equal(champion.window.to, ds.time[3_999]);
  const rescored = scoreModel(loadModel(champion.model), ds, { start: 4_000, end: 8_000 });
  const { winner, decisions } = pickChampion(second.runs, rescored, undefined, heldOut);
  for (const { decision } of decisions) assert.notEqual(decision.reason, "window-mismatch");
  // Same algorithms on twice the data: no challenger is significantly better than the champion.
  assert.equal(winner, null, decisions.map((d) => `${d.run.kind}: ${d.decision.reason}: ${d.decision.detail}`).join("\n"));
  assert.ok(decisions.some((d) => /^(not-better-than-champion|not-significant-vs-champion)$/.test(d.decision.reason)));
});
