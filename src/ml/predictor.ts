/**
 * What the SymbolActor needs from a model. The champion model is wrapped in this
 * (src/mlops/predictor.ts); until one is deployed the naive forecast runs.
 */
import type { Bar } from "../market/bar.js";
import type { Features } from "../market/features.js";

export interface Predictor {
  /** Model version recorded on every prediction, e.g. "naive" or a registry version id. */
  readonly version: string;
  /** Forecast of the NEXT bar's price (close), given this bar's features and the bar itself. */
  predict(features: Features, bar: Bar): number;
}

/** next = last: the baseline every model must beat. */
export const naivePredictor: Predictor = {
  version: "naive",
  predict: (_features, bar) => bar.close,
};
