import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelLoadError } from "../../src/ml/errors.js";
import { prepareLeague, trainLeague, trainOnLeague } from "../../src/ml/league.js";
import { loadModel } from "../../src/ml/model.js";
import { ALGORITHMS, type ModelJson } from "../../src/ml/model-json.js";
import { defaultFeatureScaling } from "../../src/ml/scaling.js";
import { MARKET_FEATURE_NAMES, syntheticMarket } from "../../src/ml/synthetic.js";

const ds = syntheticMarket({ rows: 2_000, phi: 0.3, seed: 8 });
const p = MARKET_FEATURE_NAMES.length;

/** Largest |Pearson correlation| between two distinct columns of a row-major matrix, and which pair. */
function maxAbsCorrelation(x: Float64Array, rows: number, cols: number): { corr: number; pair: [number, number] } {
  const mean = Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let i = 0; i < rows; i++) s += x[i * cols + j]!;
    return s / rows;
  });
  let best = { corr: 0, pair: [-1, -1] as [number, number] };
  for (let a = 0; a < cols; a++) {
    for (let b = a + 1; b < cols; b++) {
      let ab = 0, aa = 0, bb = 0;
      for (let i = 0; i < rows; i++) {
        const da = x[i * cols + a]! - mean[a]!, db = x[i * cols + b]! - mean[b]!;
        ab += da * db;
        aa += da * da;
        bb += db * db;
      }
      const corr = Math.abs(ab / Math.sqrt(aa * bb));
      if (corr > best.corr) best = { corr, pair: [a, b] };
    }
  }
  return best;
}

test("the scaled design matrix of the synthetic market has no two columns with |corr| = 1", () => {
  const data = prepareLeague(ds);
  const { corr, pair } = maxAbsCorrelation(data.all.x, data.all.rows, data.all.cols);
  assert.ok(corr < 1 - 1e-6, `columns ${pair.join(" and ")} have |corr| ${corr}`);
  // The raw matrix still has all seven features: only the model's input drops one.
  assert.deepEqual(ds.featureNames, [...MARKET_FEATURE_NAMES]);
  assert.deepEqual(data.inputs.inputNames, ["volatility", "lag_1", "lag_3", "ma_5", "ma_10", "volatility_change"]);
});

test("a model takes the seven features and reads six columns; online predict equals the league's offline forecast", () => {
  const data = prepareLeague(ds);
  const run = trainOnLeague(data, "gradient-boosting");
  assert.equal(run.model.format, 2);
  assert.deepEqual(run.model.featureNames, [...MARKET_FEATURE_NAMES]);
  assert.deepEqual(run.model.inputs, data.inputs.inputNames);
  const model = loadModel(run.model);
  // The walk-forward forecasts of the last block were made by the served model on `data.all`'s columns.
  const lastFold = data.plan.folds[data.plan.folds.length - 1]!.test;
  for (let r = lastFold.start; r < lastFold.end; r += 5) {
    const online = model.predict(Array.from(ds.x.subarray(r * p, (r + 1) * p)), ds.last[r]!);
    assert.equal(online, run.predictions[r - data.plan.heldOut.start], `row ${r}`);
  }
});

test("importances: lag_3 and momentum form one group; per feature they report the same share, summing to the group's", () => {
  const result = trainLeague(ds, { params: { "random-forest": { nTrees: 5 } } });
  for (const run of [result.naive, ...result.runs]) {
    const groups = run.importanceGroups.map((g) => g.features);
    assert.deepEqual(groups, [["volatility"], ["lag_1"], ["lag_3", "momentum"], ["ma_5"], ["ma_10"], ["volatility_change"]], run.kind);
    const group = run.importanceGroups[2]!.importance;
    assert.equal(run.importances.lag_3, run.importances.momentum, `${run.kind}: ${JSON.stringify(run.importances)}`);
    assert.ok(Math.abs(run.importances.lag_3! + run.importances.momentum! - group) < 1e-15, run.kind);
    for (const g of run.importanceGroups.filter((g) => g.features.length === 1)) assert.equal(run.importances[g.features[0]!], g.importance);
    const total = run.importanceGroups.reduce((s, g) => s + g.importance, 0);
    assert.ok(run.kind === "naive" ? total === 0 : Math.abs(total - 1) < 1e-9, `${run.kind} groups sum ${total}`);
    assert.deepEqual(Object.keys(run.importances), [...MARKET_FEATURE_NAMES], "one importance per feature name, as stored");
  }
});

test("a scaling that breaks the identity keeps momentum as a column of its own", () => {
  const scaling = defaultFeatureScaling(ds.featureNames);
  scaling[ds.featureNames.indexOf("momentum")] = "none";
  const data = prepareLeague(ds, { featureScaling: scaling });
  assert.deepEqual(data.inputs.inputNames, ds.featureNames);
  assert.deepEqual(data.inputs.groups(), ds.featureNames.map((n) => [n]));
});

test("format-1 artifacts (every scaled feature a column) still load and predict as they were trained", () => {
  const features = [0.2, 99.5, 101, 100.2, 100.1, -1, 0.01];
  const last = 100;
  const envelope = { format: 1, horizon: 1, featureNames: [...MARKET_FEATURE_NAMES], featureScaling: defaultFeatureScaling(MARKET_FEATURE_NAMES) };
  const coef = [0, 0, 0.5, 0, 0, 0.25, 0];
  const linear = loadModel({ ...envelope, kind: "elasticnet", body: { intercept: 0.001, coef, standardizedCoef: coef, iterations: 1, converged: true } } as unknown as ModelJson);
  const scaled = [0.2 / last, 99.5 / last - 1, 101 / last - 1, 100.2 / last - 1, 100.1 / last - 1, -1 / last, 0.01 / last];
  const ret = coef.reduce((s, c, j) => s + c * scaled[j]!, 0.001);
  assert.equal(linear.predict(features, last), last * (1 + ret));
  // A tree splitting on column 5 reads momentum, as in format 1.
  const tree = { feature: [5, -1, -1], threshold: [-0.005, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, -0.01, 0.02] };
  const old = loadModel({ ...envelope, kind: "decision-tree", body: { tree } } as unknown as ModelJson);
  assert.equal(old.predict(features, last), last * (1 - 0.01));
  assert.equal(old.predict([...features.slice(0, 5), 1, 0.01], last), last * (1 + 0.02));
  // Saved again it is format 2 with all seven columns, and predicts the same.
  const again = old.toJSON();
  assert.equal(again.format, 2);
  assert.deepEqual(again.inputs, [...MARKET_FEATURE_NAMES]);
  assert.equal(loadModel(again).predict(features, last), old.predict(features, last));
});

test("loadModel refuses format-2 inputs that do not fit the features or the body", () => {
  const data = prepareLeague(ds);
  const good = trainOnLeague(data, "decision-tree").model;
  const linear = trainOnLeague(data, "elasticnet").model;
  const bad: [string, unknown][] = [
    ["format 3", { ...good, format: 3 }],
    ["no inputs", { ...good, inputs: undefined }],
    ["unknown input", { ...good, inputs: [...good.inputs.slice(0, -1), "spread"] }],
    ["repeated input", { ...good, inputs: [...good.inputs.slice(0, -1), "lag_1"] }],
    ["no columns", { ...good, inputs: [] }],
    ["tree reads a 7th column of 6", { ...good, body: { tree: { feature: [6, -1, -1], threshold: [0, 0, 0], left: [1, -1, -1], right: [2, -1, -1], value: [0, 1, 2] } } }],
    ["7 coefficients for 6 columns", linear.kind === "elasticnet" ? { ...linear, body: { ...linear.body, coef: [...linear.body.coef, 0] } } : null],
  ];
  for (const [what, json] of bad) assert.throws(() => loadModel(json as ModelJson), ModelLoadError, what);
  assert.throws(() => loadModel({ ...good, inputs: ["lag_1", "lag_1"] }), /repeat a feature/);
});

test("every kind trains on six columns and survives JSON", () => {
  const data = prepareLeague(syntheticMarket({ rows: 300, phi: 0.4, seed: 9 }));
  for (const kind of ALGORITHMS) {
    const run = trainOnLeague(data, kind, kind === "ml-random-forest" ? { nTrees: 2, maxDepth: 3 } : {});
    const back = loadModel(JSON.parse(JSON.stringify(run.model)) as ModelJson);
    assert.deepEqual(back.toJSON().inputs, data.inputs.inputNames, kind);
  }
});
