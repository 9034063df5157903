/**
 * Tests of forecast accuracy on one series of held-out rows.
 *
 * Every test here is a test that a per-row differential d_t has mean 0 against mean > 0:
 *   stat = mean(d) / sqrt(LRV / n) · HLN,   compared with Student t, n − 1 degrees of freedom.
 * - LRV, the long-run variance, is Newey–West's: Bartlett-weighted autocovariances up to `lag`.
 *   Forecast errors on overlapping windows (and squared errors under volatility clustering) are
 *   autocorrelated, so the plain variance overstates the evidence.
 * - Lag (bandwidth): max(h − 1, ⌊4 (n/100)^(2/9)⌋), Newey & West's (1994) rule of thumb for the
 *   Bartlett kernel, never below the h − 1 that an h-step forecast's overlap implies.
 * - HLN: Harvey, Leybourne & Newbold's (1997) small-sample factor √((n + 1 − 2h + h(h − 1)/n) / n),
 *   with Student t critical values instead of the normal.
 *
 * Two differentials:
 * - Diebold–Mariano (1995): d = lossA − lossB. For non-nested forecasts (challenger vs champion).
 * - Clark–West (2007): model vs the naive "next = last" forecast, which the model nests (it can
 *   predict a zero move). d = e_naive² − (e_model² − (ŷ − last)²) = 2 (ŷ − last)(y − last): the
 *   predicted move times the realised move. Under a martingale price its mean is exactly 0, while
 *   the plain DM differential is negative in expectation (a fitted model adds estimation noise),
 *   which makes DM against naive undersized and weak.
 */
import { tQuantile, tSurvival } from "./student-t.js";

export interface MeanTest {
  n: number;
  mean: number;
  /** Newey–West lag used. */
  lag: number;
  longRunVariance: number;
  /** HLN-corrected statistic; ±Infinity when the differential is a nonzero constant. */
  stat: number;
  df: number;
  /** One-sided P(T > stat) under the null of zero mean. */
  pValue: number;
}

/** Newey–West's bandwidth rule for the Bartlett kernel, at least h − 1. */
export function neweyWestLag(n: number, horizon = 1): number {
  return Math.max(horizon - 1, Math.floor(4 * Math.pow(n / 100, 2 / 9)));
}

/** γ₀ + 2 Σ_{k=1..lag} (1 − k/(lag+1)) γ_k, autocovariances divided by n (never negative). */
export function neweyWestVariance(d: ArrayLike<number>, lag: number): number {
  const n = d.length;
  if (n === 0) throw new RangeError("neweyWestVariance needs at least one value");
  if (!Number.isInteger(lag) || lag < 0) throw new RangeError(`lag must be an integer ≥ 0, got ${lag}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d[i]!;
  mean /= n;
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = d[i]! - mean;
  let v = 0;
  for (let i = 0; i < n; i++) v += c[i]! * c[i]!;
  v /= n;
  for (let k = 1; k <= Math.min(lag, n - 1); k++) {
    let g = 0;
    for (let i = k; i < n; i++) g += c[i]! * c[i - k]!;
    v += (2 * (1 - k / (lag + 1)) * g) / n;
  }
  return Math.max(0, v);
}

/** The HLN factor for n rows and horizon h. */
export function hlnFactor(n: number, horizon: number): number {
  return Math.sqrt(Math.max(0, (n + 1 - 2 * horizon + (horizon * (horizon - 1)) / n) / n));
}

/** One-sided test of mean(d) > 0 with HAC variance, HLN correction and Student t (see top). */
export function meanTest(d: ArrayLike<number>, horizon = 1, lag = neweyWestLag(d.length, horizon)): MeanTest {
  const n = d.length;
  if (n < 2) throw new RangeError(`a forecast test needs at least 2 rows, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d[i]!;
  mean /= n;
  const longRunVariance = neweyWestVariance(d, lag);
  const se = Math.sqrt(longRunVariance / n);
  // A constant differential has no sampling variance: a zero mean is no evidence, a nonzero one is certain.
  const raw = se > 0 ? mean / se : mean === 0 ? 0 : mean > 0 ? Infinity : -Infinity;
  const stat = raw * hlnFactor(n, horizon);
  const df = n - 1;
  return { n, mean, lag, longRunVariance, stat, df, pValue: tSurvival(stat, df) };
}

/** Diebold–Mariano on losses of two forecasts of the same rows: stat > 0 when B has the lower loss. */
export function dieboldMariano(lossA: ArrayLike<number>, lossB: ArrayLike<number>, horizon = 1): MeanTest {
  if (lossA.length !== lossB.length) throw new RangeError(`Diebold–Mariano needs equal lengths, got ${lossA.length} and ${lossB.length}`);
  const d = new Float64Array(lossA.length);
  for (let i = 0; i < d.length; i++) d[i] = lossA[i]! - lossB[i]!;
  return meanTest(d, horizon);
}

/** Clark–West: does the model's predicted move carry signal beyond "next = last"? stat > 0 when it does. */
export function clarkWest(pred: ArrayLike<number>, target: ArrayLike<number>, last: ArrayLike<number>, horizon = 1): MeanTest {
  const n = target.length;
  if (pred.length !== n || last.length !== n) throw new RangeError(`Clark–West needs equal lengths, got ${pred.length}/${n}/${last.length}`);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = 2 * (pred[i]! - last[i]!) * (target[i]! - last[i]!);
  return meanTest(d, horizon);
}

/** The one-sided critical value of a level-α test with df degrees of freedom. */
export function tCritical(alpha: number, df: number): number {
  return tQuantile(1 - alpha, df);
}
