import { DecisionTreeRegressor } from "./decision-tree.js";
import { ElasticNetRegressor } from "./elasticnet.js";
import { ModelLoadError } from "./errors.js";
import type { ModelSpec } from "./base-model.js";
import { MODEL_FORMAT, type Model, type ModelJson, type ModelJsonV1 } from "./model-json.js";
import { NaiveModel } from "./naive.js";
import { ReturnModel } from "./return-model.js";
import { GradientBoostingRegressor } from "./gradient-boosting.js";
import { MljsForestRegressor } from "./mljs-forest.js";
import { ModelInputs } from "./model-inputs.js";
import { RandomForestRegressor } from "./random-forest.js";
import { assertNever } from "../runtime/assert-never.js";


/**
 * Rebuilds a model from `toJSON()` output; its predictions are identical to the original's.
 * Format-1 artifacts load with every feature as an input column, as they were trained, and
 * serialise again as format 2 with the same columns.
 */
export function loadModel(json: ModelJson | ModelJsonV1): Model {
  if (json === null || typeof json !== "object" || (json.format !== MODEL_FORMAT && json.format !== 1)) {
    throw new ModelLoadError(`unsupported model format ${String((json as { format?: unknown } | null)?.format)} (this build reads 1 and ${MODEL_FORMAT})`);
  }
  if (!Array.isArray(json.featureNames) || !Array.isArray(json.featureScaling) || json.featureNames.length !== json.featureScaling.length) {
    throw new ModelLoadError("model featureNames and featureScaling are missing or of different lengths");
  }
  if (!json.featureScaling.every((f) => f === "level" || f === "scale" || f === "none")) {
    throw new ModelLoadError(`model featureScaling has unknown entries: ${JSON.stringify(json.featureScaling)}`);
  }
  if (!Number.isInteger(json.horizon) || json.horizon < 1) throw new ModelLoadError(`model horizon must be an integer ≥ 1, got ${json.horizon}`);
  const inputs: unknown = json.format === 1 ? json.featureNames : json.inputs;
  if (!Array.isArray(inputs) || !inputs.every((n): n is string => typeof n === "string")) {
    throw new ModelLoadError(`a format-${MODEL_FORMAT} model needs its inputs as an array of feature names`);
  }
  let cols: number;
  try {
    cols = new ModelInputs(json.featureNames, json.featureScaling, inputs).cols;
  } catch (err) {
    throw new ModelLoadError(`model inputs do not fit its features: ${(err as Error).message}`, { cause: err });
  }
  const spec: ModelSpec = { horizon: json.horizon, featureNames: json.featureNames, featureScaling: json.featureScaling, inputs };
  if (json.version !== undefined) spec.version = json.version;
  try {
    switch (json.kind) {
      case "naive":
        return new NaiveModel(spec);
      case "elasticnet":
        if (json.body?.coef?.length !== cols) throw new ModelLoadError(`elasticnet has ${json.body?.coef?.length} coefficients for ${cols} input columns`);
        return new ReturnModel("elasticnet", spec, new ElasticNetRegressor(json.body));
      case "decision-tree":
        return new ReturnModel("decision-tree", spec, DecisionTreeRegressor.fromJSON(json.body, cols));
      case "random-forest":
        return new ReturnModel("random-forest", spec, RandomForestRegressor.fromJSON(json.body, cols));
      case "gradient-boosting":
        return new ReturnModel("gradient-boosting", spec, GradientBoostingRegressor.fromJSON(json.body, cols));
      case "ml-random-forest":
        return new ReturnModel("ml-random-forest", spec, MljsForestRegressor.fromJSON(json.body, cols));
      default:
        return assertNever(json, "model kind");
    }
  } catch (err) {
    if (err instanceof ModelLoadError) throw err;
    throw new ModelLoadError(`cannot load ${(json as { kind: string }).kind} model`, { cause: err });
  }
}
