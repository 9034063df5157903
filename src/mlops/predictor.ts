/**
 * Adapts an ML `Model` (features as an array in the model's column order + last price) to the
 * SymbolActor's `Predictor` (features object + the bar). The column order is the model's own
 * `featureNames`, checked once against FEATURE_NAMES, so a model trained on other columns is
 * refused here rather than fed the wrong numbers.
 */
import type { Predictor } from "../ml/predictor.js";
import type { Model } from "../ml/index.js";
import { FEATURE_NAMES, type FeatureName } from "../market/features.js";
import { InvalidChampionRecord } from "./errors.js";

export function predictorFromModel(model: Model, version: string): Predictor {
  const known = new Set<string>(FEATURE_NAMES);
  const missing = model.featureNames.filter((n) => !known.has(n));
  if (missing.length > 0) throw new InvalidChampionRecord(`model ${version} uses features the SymbolActor does not compute: ${missing.join(", ")}`);
  const names = model.featureNames as readonly FeatureName[];
  return {
    version,
    predict: (features, bar) => model.predict(names.map((n) => features[n]), bar.close),
  };
}
