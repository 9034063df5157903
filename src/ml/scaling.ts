/**
 * How a raw feature is made scale-free before learning. Prices drift out of any range seen in
 * training (the test window is always later), so models learn on features relative to the last
 * price and predict the next return; every metric is then computed back in price units.
 * - "level": a price level (lag, moving average) → feature / last − 1
 * - "scale": a price difference or dispersion (momentum, volatility) → feature / last
 * - "none": already scale-free → unchanged
 */
export type FeatureScaling = "level" | "scale" | "none";

const MARKET_FEATURE_SCALING: Readonly<Record<string, FeatureScaling>> = {
  volatility: "scale",
  lag_1: "level",
  lag_3: "level",
  ma_5: "level",
  ma_10: "level",
  momentum: "scale",
  volatility_change: "scale",
};

/** Scaling for the 7 market features by name; unknown names are left unchanged. */
export function defaultFeatureScaling(featureNames: readonly string[]): FeatureScaling[] {
  return featureNames.map((name) => MARKET_FEATURE_SCALING[name] ?? "none");
}

/** One raw feature value made scale-free against the row's last price. */
export function scaleValue(v: number, last: number, scaling: FeatureScaling): number {
  return scaling === "level" ? v / last - 1 : scaling === "scale" ? v / last : v;
}

export const priceToReturn = (price: number, last: number): number => price / last - 1;
export const returnToPrice = (ret: number, last: number): number => last * (1 + ret);
