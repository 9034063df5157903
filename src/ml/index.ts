/** Public surface of the ML module: datasets, the league, models, promotion. The pool is in ./pool. */
export { datasetFromRows, validateDataset, chronologicalSplit, sliceDataset, MIN_TRAIN_ROWS, type Dataset, type DatasetRow, type RowRange, type Split } from "./dataset.js";
export { defaultFeatureScaling, priceToReturn, returnToPrice, type FeatureScaling } from "./prepare.js";
export { ModelInputs, type ImportanceGroup } from "./model-inputs.js";
export { evaluatePredictions, rmse, type Metrics } from "./metrics.js";
export { DEFAULT_PARAMS, LEAGUE_ALGORITHMS, isAlgorithm, resolveParams, type ParamOverrides, type ParamsByAlgorithm } from "./algorithms.js";
export { trainLeague, trainOnLeague, prepareLeague, naiveRun, scoreModel, windowOf } from "./league.js";
export type { HeldOutWindow, LeagueOptions, LeagueResult, LeagueData, TrainingRun } from "./league.js";
export { loadModel, ALGORITHMS, NaiveModel, ReturnModel, MODEL_FORMAT } from "./model.js";
export type { Algorithm, Model, ModelJson, ModelJsonV1, ModelKind } from "./model.js";
export { decidePromotion, pickChampion, roundAlpha, sameWindow, validateRules, DEFAULT_PROMOTION_RULES } from "./promotion.js";
export type { PromotionDecision, PromotionReject, PromotionRules, Round, WindowScore } from "./promotion.js";
export { reviewLive, validateDemotionRules, DEFAULT_DEMOTION_RULES, type DemotionRules, type LiveError, type LiveReview } from "./demotion.js";
export { walkForwardPlan, DEFAULT_WALK_FORWARD, SINGLE_SPLIT_80_20, type WalkForwardOptions, type WalkForwardPlan, type WalkForwardFold } from "./walk-forward.js";
export { clarkWest, dieboldMariano, meanTest, neweyWestLag, neweyWestVariance, hlnFactor, tCritical, type MeanTest } from "./forecast-tests.js";
export { tCdf, tQuantile, tSurvival, incompleteBeta, logGamma } from "./student-t.js";
export { syntheticMarket, MARKET_FEATURE_NAMES } from "./synthetic.js";
export { InsufficientData, InvalidDataset, InvalidFeatures, InvalidParams, ModelLoadError } from "./errors.js";
