import { test } from "node:test";
import assert from "node:assert/strict";
import { fitDecisionTree } from "../../src/ml/decision-tree.js";
import { fitGradientBoosting } from "../../src/ml/gradient-boosting.js";
import { fitRandomForest, featureCount } from "../../src/ml/random-forest.js";
import { seededRng } from "../../src/ml/rng.js";
import { binEdges, binMatrix, binOf } from "../../src/ml/tree/binning.js";

/**
 * rows × 2 features on a grid of 200 values in [0, 1) (few enough for one bin per value, so
 * splits are exact); y is a step in feature 0 only (feature 1 is noise).
 */
function stepData(rows: number, seed = 1) {
  const rng = seededRng(seed);
  const x = new Float64Array(rows * 2);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    x[i * 2] = Math.floor(rng() * 200) / 200;
    x[i * 2 + 1] = Math.floor(rng() * 200) / 200;
    y[i] = x[i * 2]! <= 0.3 ? 1 : 5;
  }
  return { x, y, rows, cols: 2 };
}

test("bin edges: midpoints between distinct values when they fit, quantiles otherwise", () => {
  assert.deepEqual(Array.from(binEdges(Float64Array.from([1, 1, 2, 4, 4, 4]), 256)), [1.5, 3]);
  const many = Float64Array.from({ length: 1000 }, (_, i) => i);
  const edges = binEdges(many, 4);
  assert.deepEqual(Array.from(edges), [249.5, 499.5, 749.5]);
  assert.deepEqual([0, 249, 250, 999, 5000, -3].map((v) => binOf(edges, v)), [0, 0, 1, 3, 3, 0]);
  // One value holding most rows collapses into a single bin instead of duplicate edges.
  const heavy = Float64Array.from({ length: 100 }, (_, i) => (i < 90 ? 7 : i));
  assert.deepEqual(Array.from(binEdges(heavy, 4)), [48.5]);
});

test("binMatrix keeps values on the right side of every edge", () => {
  const { x, rows, cols } = stepData(500);
  const bm = binMatrix(x, rows, cols, 16);
  for (let f = 0; f < cols; f++) {
    assert.ok(bm.nBins[f]! <= 16);
    for (let i = 0; i < rows; i++) {
      const b = bm.bins[i * cols + f]!, v = x[i * cols + f]!, e = bm.edges[f]!;
      assert.ok(b === 0 || v > e[b - 1]!, "above the previous edge");
      assert.ok(b === e.length || v <= e[b]!, "at most the bin's edge");
    }
  }
});

test("a depth-1 tree finds the step exactly, on the informative feature", () => {
  const d = stepData(1000);
  const { regressor, importances } = fitDecisionTree(d, { maxDepth: 1, minSamplesLeaf: 1, maxBins: 256 });
  const t = regressor.tree;
  assert.equal(t.nodeCount, 3);
  assert.equal(t.feature[0], 0);
  assert.equal(t.threshold[0], (0.3 + 0.305) / 2);
  assert.equal(regressor.predictRow([0.1, 0.9], 0), 1);
  assert.equal(regressor.predictRow([0.7, 0.1], 0), 5);
  assert.deepEqual(Array.from(importances), [1, 0]);
});

test("depth and min-samples-per-leaf limits hold", () => {
  const rng = seededRng(9);
  const rows = 300;
  const x = Float64Array.from({ length: rows * 2 }, () => rng());
  const y = Float64Array.from({ length: rows }, () => rng());
  const { regressor } = fitDecisionTree({ x, y, rows, cols: 2 }, { maxDepth: 4, minSamplesLeaf: 20, maxBins: 64 });
  const t = regressor.tree;
  const depthOf = (node: number): number => (t.feature[node]! < 0 ? 0 : 1 + Math.max(depthOf(t.left[node]!), depthOf(t.right[node]!)));
  assert.ok(depthOf(0) <= 4);
  const counts = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    let node = 0;
    while (t.feature[node]! >= 0) node = x[i * 2 + t.feature[node]!]! <= t.threshold[node]! ? t.left[node]! : t.right[node]!;
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  for (const [leaf, n] of counts) assert.ok(n >= 20, `leaf ${leaf} holds ${n} rows`);
});

test("a two-level step on two features needs depth 2 and is then exact", () => {
  const rng = seededRng(4);
  const rows = 2000;
  const x = Float64Array.from({ length: rows * 2 }, () => rng());
  const f = (a: number, b: number) => (a <= 0.5 ? (b <= 0.25 ? 0 : 2) : b <= 0.75 ? 10 : 20);
  const y = Float64Array.from({ length: rows }, (_, i) => f(x[i * 2]!, x[i * 2 + 1]!));
  const { regressor } = fitDecisionTree({ x, y, rows, cols: 2 }, { maxDepth: 2, minSamplesLeaf: 1, maxBins: 256 });
  for (const [a, b] of [[0.2, 0.1], [0.2, 0.6], [0.8, 0.5], [0.9, 0.9]] as const) assert.equal(regressor.predictRow([a, b], 0), f(a, b));
});

test("forest and boosting fit the step; boosting shrinks toward it by the learning rate", () => {
  const d = stepData(2000, 2);
  const forest = fitRandomForest(d, { nTrees: 10, maxDepth: 3, minSamplesLeaf: 1, maxBins: 256, maxFeatures: 1, bootstrap: true, seed: 5 });
  assert.ok(Math.abs(forest.regressor.predictRow([0.1, 0.5], 0) - 1) < 1e-9);
  assert.ok(Math.abs(forest.regressor.predictRow([0.9, 0.5], 0) - 5) < 1e-9);
  assert.equal(forest.regressor.trees.length, 10);
  const rounds = 30;
  const boost = fitGradientBoosting(d, { nRounds: rounds, maxDepth: 1, learningRate: 0.1, minSamplesLeaf: 1, maxBins: 256 });
  // Each round removes 10% of the remaining gap to the step: after n rounds 0.9ⁿ of it is left.
  const mean = d.y.reduce((a, b) => a + b, 0) / d.rows;
  const low = boost.regressor.predictRow([0.1, 0.5], 0);
  assert.ok(Math.abs(low - (1 + (mean - 1) * 0.9 ** rounds)) < 1e-9, `boosted low side ${low}`);
  assert.ok(boost.importances[0]! > 0.99);
});

test("forests are reproducible from the seed and differ across seeds", () => {
  const d = stepData(500, 3);
  for (let i = 0; i < d.rows; i++) d.y[i]! += d.x[i * 2 + 1]!; // give the second feature some signal
  const params = { nTrees: 5, maxDepth: 6, minSamplesLeaf: 1, maxBins: 256, maxFeatures: 0.5, bootstrap: true, seed: 11 };
  const a = JSON.stringify(fitRandomForest(d, params).regressor.toJSON());
  const b = JSON.stringify(fitRandomForest(d, params).regressor.toJSON());
  const c = JSON.stringify(fitRandomForest(d, { ...params, seed: 12 }).regressor.toJSON());
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.deepEqual([1 / 3, 0.5, 1, 0.01].map((fr) => featureCount(fr, 7)), [3, 4, 7, 1]);
});

/** Exact CART by brute force (every feature, every midpoint), for cross-checking the grower. */
function bruteForceTree(x: Float64Array, y: Float64Array, cols: number, rows: number[], depth: number): (row: ArrayLike<number>) => number {
  const mean = rows.reduce((s, r) => s + y[r]!, 0) / rows.length;
  const sse = (rs: number[]) => {
    const m = rs.reduce((s, r) => s + y[r]!, 0) / rs.length;
    return rs.reduce((s, r) => s + (y[r]! - m) ** 2, 0);
  };
  if (depth === 0 || rows.length < 2) return () => mean;
  let best: { f: number; t: number; gain: number } | null = null;
  const parent = sse(rows);
  for (let f = 0; f < cols; f++) {
    const values = [...new Set(rows.map((r) => x[r * cols + f]!))].sort((a, b) => a - b);
    for (let k = 1; k < values.length; k++) {
      const t = (values[k - 1]! + values[k]!) / 2;
      const gain = parent - sse(rows.filter((r) => x[r * cols + f]! <= t)) - sse(rows.filter((r) => x[r * cols + f]! > t));
      if (gain > (best?.gain ?? 1e-12)) best = { f, t, gain };
    }
  }
  if (!best) return () => mean;
  const { f, t } = best;
  const left = bruteForceTree(x, y, cols, rows.filter((r) => x[r * cols + f]! <= t), depth - 1);
  const right = bruteForceTree(x, y, cols, rows.filter((r) => x[r * cols + f]! > t), depth - 1);
  return (row) => (row[f]! <= t ? left(row) : right(row));
}

test("with one bin per distinct value the grower equals exact CART (histogram and sorted small-node paths)", () => {
  const rng = seededRng(21);
  for (const rows of [40, 300]) {
    const cols = 3;
    const x = Float64Array.from({ length: rows * cols }, () => Math.floor(rng() * 100) / 100);
    const y = Float64Array.from({ length: rows }, (_, i) => Math.sin(6 * x[i * cols]!) + x[i * cols + 1]! * x[i * cols + 2]! + 0.1 * rng());
    const { regressor } = fitDecisionTree({ x, y, rows, cols }, { maxDepth: 5, minSamplesLeaf: 1, maxBins: 256 });
    const exact = bruteForceTree(x, y, cols, [...Array(rows).keys()], 5);
    for (let i = 0; i < rows; i++) {
      const row = x.subarray(i * cols, (i + 1) * cols);
      assert.ok(Math.abs(regressor.predictRow(row, 0) - exact(row)) < 1e-9, `${rows} rows, row ${i}`);
    }
  }
});
