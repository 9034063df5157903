import { clarkWest, dieboldMariano } from "./forecast-tests.js";

/**
 * Forecast metrics, all in price units, on one held-out window.
 *
 * - rmse, mae: root mean squared / mean absolute error of the predicted price.
 * - r2: 1 − SS_res / SS_tot around the window's mean price. On price levels this is close to 1
 *   for any sane forecast (the naive one included); judge models by skill, not r2.
 * - directionalAccuracy: over rows where the price moved, the share where the predicted move
 *   (prediction − last) has the same sign as the actual move; a predicted move of exactly 0
 *   scores ½, so the naive forecast sits at the coin-flip 0.5.
 * - skill: 1 − rmse / rmseNaive; > 0 means better than "next = last".
 * - dmStat, dmPValue: Diebold–Mariano test of the squared-error differential e_naive² − e²
 *   (Newey–West variance, HLN correction, Student t; see forecast-tests.ts); > 0 favours the model.
 * - cwStat, cwPValue: Clark–West test of the model against the naive forecast it nests (the
 *   statistic promotion uses); one-sided p-values.
 */
export interface Metrics {
  rmse: number;
  mae: number;
  r2: number;
  directionalAccuracy: number;
  rmseNaive: number;
  skill: number;
  dmStat: number;
  dmPValue: number;
  cwStat: number;
  cwPValue: number;
}

export function rmse(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = actual[i]! - pred[i]!;
    s += e * e;
  }
  return Math.sqrt(s / actual.length);
}

export function evaluatePredictions(pred: ArrayLike<number>, target: ArrayLike<number>, last: ArrayLike<number>, horizon = 1): Metrics {
  const n = target.length;
  if (n === 0 || pred.length !== n || last.length !== n) {
    throw new RangeError(`evaluatePredictions needs equal non-empty arrays, got ${pred.length}/${n}/${last.length}`);
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += target[i]!;
  mean /= n;
  let sse = 0, sae = 0, sst = 0, sseNaive = 0, moved = 0, hits = 0;
  const lossNaive = new Float64Array(n);
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = target[i]!, p = pred[i]!, l = last[i]!;
    const e = y - p, en = y - l;
    sse += e * e;
    sae += Math.abs(e);
    sst += (y - mean) * (y - mean);
    sseNaive += en * en;
    lossNaive[i] = en * en;
    loss[i] = e * e;
    const actualMove = Math.sign(y - l);
    if (actualMove !== 0) {
      moved++;
      const predictedMove = Math.sign(p - l);
      hits += predictedMove === 0 ? 0.5 : predictedMove === actualMove ? 1 : 0;
    }
  }
  const rmseValue = Math.sqrt(sse / n);
  const rmseNaive = Math.sqrt(sseNaive / n);
  // One row carries no sampling variance to test against: no evidence either way.
  const dm = n >= 2 ? dieboldMariano(lossNaive, loss, horizon) : null;
  const cw = n >= 2 ? clarkWest(pred, target, last, horizon) : null;
  return {
    rmse: rmseValue,
    mae: sae / n,
    r2: sst > 0 ? 1 - sse / sst : 0,
    directionalAccuracy: moved > 0 ? hits / moved : 0.5,
    rmseNaive,
    skill: rmseNaive > 0 ? 1 - rmseValue / rmseNaive : 0,
    dmStat: dm?.stat ?? 0,
    dmPValue: dm?.pValue ?? 1,
    cwStat: cw?.stat ?? 0,
    cwPValue: cw?.pValue ?? 1,
  };
}
