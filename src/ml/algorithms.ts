import { DECISION_TREE_DEFAULTS, fitDecisionTree, validateTreeParams, type DecisionTreeParams } from "./decision-tree.js";
import { ELASTICNET_DEFAULTS, fitElasticNet, validateElasticNetParams, type ElasticNetParams } from "./elasticnet.js";
import { InvalidParams } from "./errors.js";
import { GRADIENT_BOOSTING_DEFAULTS, fitGradientBoosting, validateBoostingParams, type GradientBoostingParams } from "./gradient-boosting.js";
import type { Fitted, LearnerData, ProgressCallback, Regressor } from "./learner-data.js";
import { MLJS_FOREST_DEFAULTS, fitMljsForest, validateMljsForestParams, type MljsForestParams } from "./mljs-forest.js";
import type { Algorithm, BodyByKind } from "./model-json.js";
import { RANDOM_FOREST_DEFAULTS, fitRandomForest, validateForestParams, type RandomForestParams } from "./random-forest.js";

export interface ParamsByAlgorithm {
  elasticnet: ElasticNetParams;
  "decision-tree": DecisionTreeParams;
  "random-forest": RandomForestParams;
  "gradient-boosting": GradientBoostingParams;
  "ml-random-forest": MljsForestParams;
}

/** Per-algorithm overrides; anything left out takes the default. */
export type ParamOverrides = { [A in Algorithm]?: Partial<ParamsByAlgorithm[A]> };

/** The original's defaults (Spark names in brackets): regParam 0.1 / elasticNetParam 0.8; depth 8; 20 trees × depth 10; 15 rounds × depth 5. */
export const DEFAULT_PARAMS: { readonly [A in Algorithm]: Readonly<ParamsByAlgorithm[A]> } = {
  elasticnet: ELASTICNET_DEFAULTS,
  "decision-tree": DECISION_TREE_DEFAULTS,
  "random-forest": RANDOM_FOREST_DEFAULTS,
  "gradient-boosting": GRADIENT_BOOSTING_DEFAULTS,
  "ml-random-forest": MLJS_FOREST_DEFAULTS,
};

/** The league trained by default. "ml-random-forest" is opt-in: quadratic in rows. */
export const LEAGUE_ALGORITHMS: readonly Algorithm[] = ["elasticnet", "decision-tree", "random-forest", "gradient-boosting"];

export function isAlgorithm(name: unknown): name is Algorithm {
  return typeof name === "string" && Object.hasOwn(DEFAULT_PARAMS, name);
}

/** Defaults merged with overrides, validated (InvalidParams names the bad parameter). */
export function resolveParams<A extends Algorithm>(algorithm: A, overrides: Partial<ParamsByAlgorithm[A]> = {}): ParamsByAlgorithm[A] {
  const defaults = DEFAULT_PARAMS[algorithm] as ParamsByAlgorithm[A];
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(defaults, key)) throw new InvalidParams(`${algorithm} has no parameter "${key}"`);
  }
  const params = { ...defaults, ...overrides } as ParamsByAlgorithm[A];
  validateParams(algorithm, params);
  return params;
}

type Validator<A extends Algorithm> = (params: ParamsByAlgorithm[A]) => unknown;
type Fitter<A extends Algorithm> = (
  data: LearnerData,
  params: ParamsByAlgorithm[A],
  onProgress?: ProgressCallback,
) => Fitted<Regressor<BodyByKind[A]>>;

/** Tables keyed by algorithm, so a generic A picks its own validator and fitter with no casts. */
const VALIDATORS: { [A in Algorithm]: Validator<A> } = {
  elasticnet: validateElasticNetParams,
  "decision-tree": validateTreeParams,
  "random-forest": validateForestParams,
  "gradient-boosting": validateBoostingParams,
  "ml-random-forest": validateMljsForestParams,
};

const FITTERS: { [A in Algorithm]: Fitter<A> } = {
  elasticnet: (data, params) => fitElasticNet(data, params),
  "decision-tree": (data, params) => fitDecisionTree(data, params),
  "random-forest": fitRandomForest,
  "gradient-boosting": fitGradientBoosting,
  "ml-random-forest": fitMljsForest,
};

function validateParams<A extends Algorithm>(algorithm: A, params: ParamsByAlgorithm[A]): void {
  const validate: Validator<A> = VALIDATORS[algorithm];
  validate(params);
}

/** Fits one algorithm on prepared data; params should come from resolveParams. */
export function fitAlgorithm<A extends Algorithm>(
  algorithm: A,
  data: LearnerData,
  params: ParamsByAlgorithm[A],
  onProgress?: ProgressCallback,
): Fitted<Regressor<BodyByKind[A]>> {
  const fit: Fitter<A> = FITTERS[algorithm];
  return fit(data, params, onProgress);
}
