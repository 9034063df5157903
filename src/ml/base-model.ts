import { InvalidFeatures } from "./errors.js";
import { ModelInputs } from "./model-inputs.js";
import type { FeatureScaling } from "./scaling.js";
import { MODEL_FORMAT, type Model, type ModelEnvelope, type ModelJson, type ModelKind } from "./model-json.js";


export type ModelSpec = Omit<ModelEnvelope, "format">;

export abstract class BaseModel implements Model {
  abstract readonly kind: ModelKind;
  version?: string;
  readonly horizon: number;
  readonly featureNames: readonly string[];
  readonly featureScaling: readonly FeatureScaling[];
  /** How `predict`'s features become the learner's input columns. */
  readonly inputs: ModelInputs;
  constructor(spec: ModelSpec) {
    this.horizon = spec.horizon;
    this.featureNames = [...spec.featureNames];
    this.featureScaling = [...spec.featureScaling];
    this.inputs = new ModelInputs(this.featureNames, this.featureScaling, spec.inputs);
    if (spec.version !== undefined) this.version = spec.version;
  }
  protected check(features: readonly number[], lastPrice: number): void {
    if (features.length !== this.featureNames.length) {
      throw new InvalidFeatures(`expected ${this.featureNames.length} features (${this.featureNames.join(", ")}), got ${features.length}`);
    }
    if (!(lastPrice > 0) || !Number.isFinite(lastPrice)) throw new InvalidFeatures(`lastPrice must be a positive number, got ${lastPrice}`);
    for (const [j, v] of features.entries()) if (!Number.isFinite(v)) throw new InvalidFeatures(`feature ${this.featureNames[j]} is not finite`);
  }
  protected envelope(): ModelEnvelope {
    const env: ModelEnvelope = {
      format: MODEL_FORMAT,
      horizon: this.horizon,
      featureNames: [...this.featureNames],
      featureScaling: [...this.featureScaling],
      inputs: [...this.inputs.inputNames],
    };
    if (this.version !== undefined) env.version = this.version;
    return env;
  }
  abstract predict(features: readonly number[], lastPrice: number): number;
  abstract toJSON(): ModelJson;
}

