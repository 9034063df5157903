import { InvalidParams } from "./errors.js";
import type { Fitted, LearnerData, Regressor } from "./learner-data.js";
import { columnStats } from "./prepare.js";

/**
 * ElasticNet by cyclic coordinate descent on standardised features AND a standardised label,
 * minimising scikit-learn's objective
 *   1/(2n)·‖y − Xw‖² + α·ρ·‖w‖₁ + α·(1−ρ)/2·‖w‖²   (α = regParam, ρ = l1Ratio)
 * in that standardised space, then mapping w back to raw units. Standardising the label too is
 * what Spark's LinearRegression does with its regParam, so the original's regParam 0.1 keeps its
 * meaning on tiny return-sized labels (on a raw return label α = 0.1 would zero every weight).
 * With p features the data enter once through the p×p Gram matrix, so each sweep costs O(p²).
 */
export interface ElasticNetParams {
  regParam: number;
  l1Ratio: number;
  maxIter: number;
  /** Stop when no weight moved more than this in a sweep (standardised units). */
  tol: number;
}

export const ELASTICNET_DEFAULTS: ElasticNetParams = { regParam: 0.1, l1Ratio: 0.8, maxIter: 1000, tol: 1e-10 };

export interface ElasticNetJson {
  intercept: number;
  /** Weights on the (scaled, unstandardised) learner features. */
  coef: number[];
  /** Weights in standardised units: comparable across features. */
  standardizedCoef: number[];
  iterations: number;
  converged: boolean;
}

export class ElasticNetRegressor implements Regressor<ElasticNetJson> {
  private readonly coef: Float64Array;
  constructor(readonly json: ElasticNetJson) {
    if (!Array.isArray(json.coef) || !Array.isArray(json.standardizedCoef) || !Number.isFinite(json.intercept)) {
      throw new RangeError("elasticnet body needs a finite intercept and coef arrays");
    }
    this.coef = Float64Array.from(json.coef);
  }
  predictRow(x: ArrayLike<number>, offset: number): number {
    let s = this.json.intercept;
    for (let j = 0; j < this.coef.length; j++) s += this.coef[j]! * x[offset + j]!;
    return s;
  }
  /** |standardised weight|, normalised to sum 1 (all zero when every weight is zero). */
  importances(): Float64Array {
    const abs = this.json.standardizedCoef.map(Math.abs);
    const total = abs.reduce((a, b) => a + b, 0);
    return Float64Array.from(abs, (v) => (total > 0 ? v / total : 0));
  }
  toJSON(): ElasticNetJson {
    return this.json;
  }
}

export function validateElasticNetParams(p: ElasticNetParams): ElasticNetParams {
  if (!(p.regParam >= 0) || !Number.isFinite(p.regParam)) throw new InvalidParams(`regParam must be a finite number ≥ 0, got ${p.regParam}`);
  if (!(p.l1Ratio >= 0 && p.l1Ratio <= 1)) throw new InvalidParams(`l1Ratio must be in [0, 1], got ${p.l1Ratio}`);
  if (!Number.isInteger(p.maxIter) || p.maxIter < 1) throw new InvalidParams(`maxIter must be an integer ≥ 1, got ${p.maxIter}`);
  if (!(p.tol > 0)) throw new InvalidParams(`tol must be > 0, got ${p.tol}`);
  return p;
}

export function fitElasticNet(data: LearnerData, params: ElasticNetParams): Fitted<ElasticNetRegressor> {
  validateElasticNetParams(params);
  const { x, y, rows: n, cols: p } = data;
  const xs = columnStats(x, n, p);
  const ys = columnStats(y, n, 1);
  const yMean = ys.mean[0]!, yStd = ys.std[0]!;
  const gram = new Float64Array(p * p);
  const corr = new Float64Array(p);
  const centred = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) centred[j] = xs.std[j]! > 0 ? (x[i * p + j]! - xs.mean[j]!) / xs.std[j]! : 0;
    const yi = yStd > 0 ? (y[i]! - yMean) / yStd : 0;
    for (let j = 0; j < p; j++) {
      const zj = centred[j]!;
      corr[j]! += zj * yi;
      for (let k = j; k < p; k++) gram[j * p + k]! += zj * centred[k]!;
    }
  }
  for (let j = 0; j < p; j++) {
    corr[j]! /= n;
    for (let k = j; k < p; k++) gram[k * p + j] = gram[j * p + k]! /= n;
  }
  const l1 = params.regParam * params.l1Ratio;
  const l2 = params.regParam * (1 - params.l1Ratio);
  const w = new Float64Array(p);
  let iterations = 0, converged = false;
  while (iterations < params.maxIter && !converged) {
    iterations++;
    let maxDelta = 0;
    for (let j = 0; j < p; j++) {
      const gjj = gram[j * p + j]!;
      if (gjj === 0) continue; // constant feature: weight stays 0
      let rho = corr[j]!;
      for (let k = 0; k < p; k++) if (k !== j) rho -= gram[j * p + k]! * w[k]!;
      const shrunk = Math.abs(rho) - l1;
      const next = shrunk > 0 ? (Math.sign(rho) * shrunk) / (gjj + l2) : 0;
      maxDelta = Math.max(maxDelta, Math.abs(next - w[j]!));
      w[j] = next;
    }
    converged = maxDelta < params.tol;
  }
  const coef = Array.from(w, (wj, j) => (xs.std[j]! > 0 ? (wj * yStd) / xs.std[j]! : 0));
  const intercept = yMean - coef.reduce((s, c, j) => s + c * xs.mean[j]!, 0);
  const regressor = new ElasticNetRegressor({ intercept, coef, standardizedCoef: Array.from(w), iterations, converged });
  return { regressor, importances: regressor.importances() };
}
