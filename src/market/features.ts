/**
 * The 7 features of the original, from ONE function over the bar history. Online (SymbolActor)
 * and offline (training) both call `featuresAt`, so they agree by construction.
 *
 * A bar's "price" is its close (last trade by time, then id). For the bar at index i:
 *   volatility        = volatility_i                      (population std-dev of its trade prices)
 *   lag_1             = price_{i-1}
 *   lag_3             = price_{i-3}
 *   ma_5              = mean(price_{i-4} .. price_i)       (includes the current bar)
 *   ma_10             = mean(price_{i-9} .. price_i)
 *   momentum          = price_i − lag_3
 *   volatility_change = volatility_i − volatility_{i-1}
 * Warm-up: null until 10 bars exist (i ≥ 9), the depth ma_10 needs; no partial vectors, so a
 * model never sees a feature computed from fewer bars than in training.
 * Lags count bars, not wall time: windows with no trades produce no bar and are not "skipped".
 */
import type { Bar } from "./bar.js";

export const FEATURE_NAMES = ["volatility", "lag_1", "lag_3", "ma_5", "ma_10", "momentum", "volatility_change"] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];
export type Features = Record<FeatureName, number>;

/** Bars needed before the first feature vector (ma_10 reaches 9 bars back). */
export const FEATURE_WARMUP_BARS = 10;

/** The only bar fields features read, so callers can pass silver rows as well as Bars. */
export type FeatureBar = Pick<Bar, "close" | "volatility">;

/** Features of bars[i] using only bars[0..i] (never later bars: no leakage). */
export function featuresAt(bars: readonly FeatureBar[], i: number): Features | null {
  if (!Number.isInteger(i) || i < FEATURE_WARMUP_BARS - 1 || i >= bars.length) return null;
  const cur = bars[i]!;
  const price = cur.close;
  const lag1 = bars[i - 1]!.close;
  const lag3 = bars[i - 3]!.close;
  let sum5 = 0;
  for (let j = i - 4; j <= i; j++) sum5 += bars[j]!.close;
  let sum10 = sum5;
  for (let j = i - 9; j <= i - 5; j++) sum10 += bars[j]!.close;
  return {
    volatility: cur.volatility,
    lag_1: lag1,
    lag_3: lag3,
    ma_5: sum5 / 5,
    ma_10: sum10 / 10,
    momentum: price - lag3,
    volatility_change: cur.volatility - bars[i - 1]!.volatility,
  };
}

/** Features of the latest bar of the history (the online call). */
export function featuresFromBars(bars: readonly FeatureBar[]): Features | null {
  return featuresAt(bars, bars.length - 1);
}

/** The vector in FEATURE_NAMES order (the column order models are trained on). */
export function featureVector(f: Features): number[] {
  return FEATURE_NAMES.map((n) => f[n]);
}

/** Training label for bar i: the next bar's price (close), or null for the newest bar. */
export function nextBarLabel(bars: readonly FeatureBar[], i: number): number | null {
  const next = bars[i + 1];
  return next === undefined ? null : next.close;
}

export interface FeatureMatrix {
  names: readonly FeatureName[];
  /** One row per usable bar: features present (past warm-up) and a next bar exists. */
  X: number[][];
  /** Next bar's price. */
  y: number[];
  /** Current bar's price (the naive forecast; y − price is the return). */
  price: number[];
  /** Index into the input bars of each row. */
  barIndex: number[];
}

/** Training rows, built row by row with the same `featuresAt` the live actor uses. */
export function featureMatrix(bars: readonly FeatureBar[]): FeatureMatrix {
  const m: FeatureMatrix = { names: FEATURE_NAMES, X: [], y: [], price: [], barIndex: [] };
  for (let i = 0; i < bars.length; i++) {
    const f = featuresAt(bars, i);
    const label = nextBarLabel(bars, i);
    if (f === null || label === null) continue;
    m.X.push(featureVector(f));
    m.y.push(label);
    m.price.push(bars[i]!.close);
    m.barIndex.push(i);
  }
  return m;
}

/** `features.fromBars(bars)` etc., the names the design doc uses. */
export const features = {
  names: FEATURE_NAMES,
  warmupBars: FEATURE_WARMUP_BARS,
  at: featuresAt,
  fromBars: featuresFromBars,
  vector: featureVector,
  matrix: featureMatrix,
  nextBarLabel,
} as const;
