import { test } from "node:test";
import assert from "node:assert/strict";
import { fitElasticNet } from "../../src/ml/elasticnet.js";
import { InvalidParams } from "../../src/ml/errors.js";

/** A deterministic design both this test and scikit-learn can rebuild exactly. */
function design(n = 50) {
  const cols = 3;
  const x = new Float64Array(n * cols);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = [Math.sin(i), Math.cos(1.3 * i), (i % 7) / 7];
    x.set(row, i * cols);
    y[i] = 0.5 * row[0]! - 0.2 * row[1]! + 0.1 * row[2]! + 0.05 * Math.sin(3.7 * i);
  }
  return { x, y, rows: n, cols };
}

/** OLS with intercept by the normal equations (Gauss–Jordan on [1 X]ᵀ[1 X]). */
function ols(x: Float64Array, y: Float64Array, n: number, p: number): number[] {
  const k = p + 1;
  const a = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const row = [1, ...x.subarray(i * p, (i + 1) * p)];
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) a[r]![c]! += row[r]! * row[c]!;
      a[r]![k]! += row[r]! * y[i]!;
    }
  }
  for (let c = 0; c < k; c++) {
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row, r) => row[k]! / row[r]!);
}

test("regParam → 0 gives the closed-form OLS solution (intercept and weights)", () => {
  const d = design();
  const [b0, ...b] = ols(d.x, d.y, d.rows, d.cols);
  const { regressor } = fitElasticNet(d, { regParam: 0, l1Ratio: 0.8, maxIter: 100_000, tol: 1e-14 });
  const json = regressor.toJSON();
  assert.ok(json.converged);
  assert.ok(Math.abs(json.intercept - b0!) < 1e-9, `${json.intercept} vs ${b0}`);
  json.coef.forEach((c, j) => assert.ok(Math.abs(c - b[j]!) < 1e-9, `coef ${j}: ${c} vs ${b[j]}`));
});

test("matches scikit-learn's ElasticNet on standardised data", () => {
  // From /usr/bin/python3 with sklearn 1.2.1: ElasticNet(alpha, l1_ratio, tol=1e-14).fit(Xs, ys).coef_
  // where Xs and ys are this design standardised with population std.
  const reference: [number, number, number[]][] = [
    [0.1, 0.8, [0.8010534419125251, -0.2793837246451589, 0.001507949760920777]],
    [0.5, 0.3, [0.5618788917918345, -0.17928151949085855, 0.0]],
  ];
  for (const [regParam, l1Ratio, expected] of reference) {
    const { regressor } = fitElasticNet(design(), { regParam, l1Ratio, maxIter: 100_000, tol: 1e-14 });
    regressor.toJSON().standardizedCoef.forEach((c, j) => assert.ok(Math.abs(c - expected[j]!) < 1e-9, `α=${regParam} coef ${j}: ${c} vs ${expected[j]}`));
  }
});

test("a strong L1 penalty zeroes every weight and predicts the mean label", () => {
  const d = design();
  const { regressor, importances } = fitElasticNet(d, { regParam: 10, l1Ratio: 1, maxIter: 1000, tol: 1e-12 });
  const mean = d.y.reduce((a, b) => a + b, 0) / d.rows;
  assert.deepEqual(regressor.toJSON().coef, [0, 0, 0]);
  assert.ok(Math.abs(regressor.predictRow([5, 5, 5], 0) - mean) < 1e-15);
  assert.deepEqual(Array.from(importances), [0, 0, 0]);
});

test("importances rank the strongest standardised weight first; constant features get 0", () => {
  const d = design();
  for (let i = 0; i < d.rows; i++) d.x[i * 3 + 2] = 7; // constant third column
  const { regressor, importances } = fitElasticNet(d, { regParam: 0.01, l1Ratio: 0.5, maxIter: 1000, tol: 1e-12 });
  assert.equal(regressor.toJSON().coef[2], 0);
  assert.ok(importances[0]! > importances[1]! && importances[1]! > 0 && importances[2] === 0);
  assert.ok(Math.abs(importances.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test("invalid parameters are named", () => {
  const d = design();
  assert.throws(() => fitElasticNet(d, { regParam: -1, l1Ratio: 0.5, maxIter: 10, tol: 1e-6 }), (e: unknown) => e instanceof InvalidParams && /regParam/.test(e.message));
  assert.throws(() => fitElasticNet(d, { regParam: 0.1, l1Ratio: 2, maxIter: 10, tol: 1e-6 }), /l1Ratio/);
  assert.throws(() => fitElasticNet(d, { regParam: 0.1, l1Ratio: 0.5, maxIter: 0, tol: 1e-6 }), /maxIter/);
});
