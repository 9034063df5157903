import { test } from "node:test";
import assert from "node:assert/strict";
import { InvalidFeatures, ModelLoadError } from "../../src/ml/errors.js";
import { prepareLeague, trainOnLeague, naiveRun } from "../../src/ml/league.js";
import { loadModel } from "../../src/ml/model.js";
import { ALGORITHMS, type ModelJson } from "../../src/ml/model-json.js";
import { syntheticMarket } from "../../src/ml/synthetic.js";

const ds = syntheticMarket({ rows: 400, phi: 0.4, seed: 21 });
const data = prepareLeague(ds);
const small = { "ml-random-forest": { nTrees: 3, maxDepth: 4 } } as const;

test("every model kind survives JSON and predicts identically after loading", () => {
  const runs = [naiveRun(data), ...ALGORITHMS.map((a) => trainOnLeague(data, a, a === "ml-random-forest" ? small[a] : {}))];
  for (const run of runs) {
    const original = loadModel(run.model);
    const text = JSON.stringify(original.toJSON());
    const reloaded = loadModel(JSON.parse(text) as ModelJson);
    assert.equal(reloaded.kind, run.kind);
    assert.equal(JSON.stringify(reloaded.toJSON()), text, `${run.kind}: JSON is stable`);
    for (let r = 0; r < ds.rows; r += 7) {
      const features = Array.from(ds.x.subarray(r * 7, r * 7 + 7));
      assert.equal(reloaded.predict(features, ds.last[r]!), original.predict(features, ds.last[r]!), `${run.kind} row ${r}`);
    }
  }
});

test("a model keeps its horizon, features and version through JSON", () => {
  const model = loadModel(trainOnLeague(data, "decision-tree").model);
  model.version = "7";
  const back = loadModel(JSON.parse(JSON.stringify(model.toJSON())) as ModelJson);
  assert.equal(back.version, "7");
  assert.equal(back.horizon, 1);
  assert.deepEqual(back.featureNames, ds.featureNames);
});

test("the naive model predicts the last price", () => {
  const naive = loadModel(naiveRun(data).model);
  assert.equal(naive.predict([1, 2, 3, 4, 5, 6, 7], 123.5), 123.5);
});

test("predict rejects wrong feature vectors", () => {
  const model = loadModel(trainOnLeague(data, "elasticnet").model);
  assert.throws(() => model.predict([1, 2, 3], 100), InvalidFeatures);
  assert.throws(() => model.predict([1, 2, 3, 4, 5, 6, NaN], 100), /volatility_change is not finite/);
  assert.throws(() => model.predict([1, 2, 3, 4, 5, 6, 7], 0), /lastPrice/);
});

test("loadModel rejects unknown kinds, formats and corrupt bodies with ModelLoadError", () => {
  const good = trainOnLeague(data, "decision-tree").model;
  const bad: unknown[] = [
    null,
    { ...good, format: 3 },
    { ...good, kind: "svm" },
    { ...good, featureScaling: [] },
    { ...good, featureScaling: good.featureScaling.map(() => "log") },
    { ...good, horizon: 0 },
    { ...good, body: { tree: { feature: [9, -1, -1], threshold: [0, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, 1, 2] } } },
    { ...good, body: { tree: { feature: [0], threshold: [], left: [], right: [], value: [] } } },
    { ...good, body: { tree: { feature: [0, -1, -1], threshold: [0, 0, 0], left: [5, -1, -1], right: [2, -1, -1], value: [0, 1, 2] } } },
  ];
  const linear = trainOnLeague(data, "elasticnet").model;
  bad.push(linear.kind === "elasticnet" ? { ...linear, body: { ...linear.body, coef: [1, 2] } } : null);
  for (const json of bad) assert.throws(() => loadModel(json as ModelJson), ModelLoadError, JSON.stringify(json)?.slice(0, 80));
});
