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
 * - dmStat: Diebold–Mariano statistic of the squared-error differential against the naive
 *   forecast (mean(e_naive² − e²) / its standard error); > 1.645 is a one-sided 5% win.
 */
export interface Metrics {
  rmse: number;
  mae: number;
  r2: number;
  directionalAccuracy: number;
  rmseNaive: number;
  skill: number;
  dmStat: number;
}

export function rmse(pred: ArrayLike<number>, actual: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = actual[i]! - pred[i]!;
    s += e * e;
  }
  return Math.sqrt(s / actual.length);
}

export function evaluatePredictions(pred: ArrayLike<number>, target: ArrayLike<number>, last: ArrayLike<number>): Metrics {
  const n = target.length;
  if (n === 0 || pred.length !== n || last.length !== n) {
    throw new RangeError(`evaluatePredictions needs equal non-empty arrays, got ${pred.length}/${n}/${last.length}`);
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += target[i]!;
  mean /= n;
  let sse = 0, sae = 0, sst = 0, sseNaive = 0, moved = 0, hits = 0, sumD = 0, sumD2 = 0;
  for (let i = 0; i < n; i++) {
    const y = target[i]!, p = pred[i]!, l = last[i]!;
    const e = y - p, en = y - l;
    sse += e * e;
    sae += Math.abs(e);
    sst += (y - mean) * (y - mean);
    sseNaive += en * en;
    const d = en * en - e * e;
    sumD += d;
    sumD2 += d * d;
    const actualMove = Math.sign(y - l);
    if (actualMove !== 0) {
      moved++;
      const predictedMove = Math.sign(p - l);
      hits += predictedMove === 0 ? 0.5 : predictedMove === actualMove ? 1 : 0;
    }
  }
  const rmseValue = Math.sqrt(sse / n);
  const rmseNaive = Math.sqrt(sseNaive / n);
  const meanD = sumD / n;
  const varD = Math.max(0, sumD2 / n - meanD * meanD);
  return {
    rmse: rmseValue,
    mae: sae / n,
    r2: sst > 0 ? 1 - sse / sst : 0,
    directionalAccuracy: moved > 0 ? hits / moved : 0.5,
    rmseNaive,
    skill: rmseNaive > 0 ? 1 - rmseValue / rmseNaive : 0,
    dmStat: varD > 0 ? meanD / Math.sqrt(varD / n) : 0,
  };
}
