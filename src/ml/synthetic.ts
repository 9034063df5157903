import type { Dataset } from "./dataset.js";
import { gaussian, seededRng } from "./rng.js";

export const MARKET_FEATURE_NAMES = ["volatility", "lag_1", "lag_3", "ma_5", "ma_10", "momentum", "volatility_change"] as const;

export interface SyntheticOptions {
  rows: number;
  /** AR(1) coefficient of bar returns; 0 gives a pure random walk. */
  phi: number;
  /** Standard deviation of the return shocks. */
  sigma?: number;
  seed?: number;
  startPrice?: number;
  barMs?: number;
  horizon?: number;
}

/**
 * A price path whose bar returns follow r_t = φ·r_{t−1} + ε_t, with the 7 market features
 * computed from it (lags, moving averages and momentum of the bar price; a volatility that
 * tracks |r_t|). Under φ ≠ 0 the best forecast of the next return is φ·r_t, a signal the
 * league must recover; under φ = 0 nothing beats "next = last". For tests and benchmarks.
 */
export function syntheticMarket(options: SyntheticOptions): Dataset & { signal: Float64Array } {
  const { rows, phi, sigma = 1e-3, seed = 1, startPrice = 100, barMs = 10_000, horizon = 1 } = options;
  const rng = seededRng(seed);
  const warmup = 10;
  const total = rows + warmup + horizon;
  const price = new Float64Array(total);
  const ret = new Float64Array(total);
  const vol = new Float64Array(total);
  price[0] = startPrice;
  for (let t = 1; t < total; t++) {
    ret[t] = phi * ret[t - 1]! + sigma * gaussian(rng);
    price[t] = price[t - 1]! * (1 + ret[t]!);
    vol[t] = price[t]! * (0.5 * sigma + 0.5 * Math.abs(ret[t]!) + 0.1 * sigma * Math.abs(gaussian(rng)));
  }
  const p = MARKET_FEATURE_NAMES.length;
  const x = new Float64Array(rows * p);
  const last = new Float64Array(rows);
  const target = new Float64Array(rows);
  const time = new Float64Array(rows);
  const signal = new Float64Array(rows);
  const mean = (t: number, k: number) => {
    let s = 0;
    for (let i = 0; i < k; i++) s += price[t - i]!;
    return s / k;
  };
  for (let i = 0; i < rows; i++) {
    const t = i + warmup;
    x.set([vol[t]!, price[t - 1]!, price[t - 3]!, mean(t, 5), mean(t, 10), price[t]! - price[t - 3]!, vol[t]! - vol[t - 1]!], i * p);
    last[i] = price[t]!;
    target[i] = price[t + horizon]!;
    time[i] = 1_700_000_000_000 + t * barMs;
    // The conditional mean of the next price: what a perfect model would predict (horizon 1).
    signal[i] = price[t]! * (1 + phi * ret[t]!);
  }
  return { featureNames: [...MARKET_FEATURE_NAMES], rows, x, last, target, time, horizon, signal };
}
