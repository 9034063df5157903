/** The serialised shape of every model (the registry's artifact) and the interface models implement. */
import type { DecisionTreeJson } from "./decision-tree.js";
import type { ElasticNetJson } from "./elasticnet.js";
import type { GradientBoostingJson } from "./gradient-boosting.js";
import type { MljsForestJson } from "./mljs-forest.js";
import type { RandomForestJson } from "./random-forest.js";
import type { FeatureScaling } from "./scaling.js";

/**
 * 2: the envelope names the model's input columns (`inputs`), which may leave out redundant
 * features. 1: no `inputs`, every scaled feature was a column; still loaded (model.ts).
 */
export const MODEL_FORMAT = 2;

/** Serialised body of each learned kind. */
export interface BodyByKind {
  elasticnet: ElasticNetJson;
  "decision-tree": DecisionTreeJson;
  "random-forest": RandomForestJson;
  "gradient-boosting": GradientBoostingJson;
  "ml-random-forest": MljsForestJson;
}
export type Algorithm = keyof BodyByKind;
export type ModelKind = Algorithm | "naive";
export const ALGORITHMS: readonly Algorithm[] = ["elasticnet", "decision-tree", "random-forest", "gradient-boosting", "ml-random-forest"];

/** What every serialised model carries besides its body. */
export interface ModelEnvelope {
  format: typeof MODEL_FORMAT;
  version?: string;
  /** Bars between the features' bar and the predicted price. */
  horizon: number;
  /** What `predict` takes, in this order: the raw features (the SymbolActor's, the silver table's). */
  featureNames: string[];
  featureScaling: FeatureScaling[];
  /** The features the learner's input columns read (scaled), in column order: `featureNames` less redundant ones. */
  inputs: string[];
}

export type LearnedModelJson = { [K in Algorithm]: ModelEnvelope & { kind: K; body: BodyByKind[K] } }[Algorithm];
export type ModelJson = LearnedModelJson | (ModelEnvelope & { kind: "naive" });

/** A format-1 artifact, written before redundant columns were dropped: no `inputs`, every scaled feature is a column. */
export type ModelJsonV1 = AsFormat1<ModelJson>;
type AsFormat1<J> = J extends unknown ? Omit<J, "format" | "inputs"> & { format: 1 } : never;

/** A price forecaster: features of the latest bar + its price → the price `horizon` bars later. */
export interface Model {
  readonly kind: ModelKind;
  /** Set by the registry once the model is stored. */
  version?: string;
  readonly horizon: number;
  readonly featureNames: readonly string[];
  predict(features: readonly number[], lastPrice: number): number;
  toJSON(): ModelJson;
}
