import { InvalidFeatures } from "./errors.js";
import type { FeatureScaling } from "./prepare.js";
import type { Model, ModelEnvelope, ModelJson, ModelKind } from "./model.js";

export const MODEL_FORMAT = 1;

export type ModelSpec = Omit<ModelEnvelope, "format">;

export abstract class BaseModel implements Model {
  abstract readonly kind: ModelKind;
  version?: string;
  readonly horizon: number;
  readonly featureNames: readonly string[];
  readonly featureScaling: readonly FeatureScaling[];
  constructor(spec: ModelSpec) {
    this.horizon = spec.horizon;
    this.featureNames = [...spec.featureNames];
    this.featureScaling = [...spec.featureScaling];
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
    const env: ModelEnvelope = { format: MODEL_FORMAT, horizon: this.horizon, featureNames: [...this.featureNames], featureScaling: [...this.featureScaling] };
    if (this.version !== undefined) env.version = this.version;
    return env;
  }
  abstract predict(features: readonly number[], lastPrice: number): number;
  abstract toJSON(): ModelJson;
}

