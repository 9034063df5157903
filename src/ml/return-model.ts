import { BaseModel } from "./base-model.js";
import type { Regressor } from "./learner-data.js";
import type { Algorithm, BodyByKind, LearnedModelJson, ModelJson } from "./model.js";
import { returnToPrice, scaleFeatures } from "./prepare.js";
import type { ModelSpec } from "./base-model.js";

/** A learner fitted on scaled features and the return label; predicts prices. */
export class ReturnModel<K extends Algorithm> extends BaseModel {
  private readonly scratch: Float64Array;
  constructor(
    readonly kind: K,
    spec: ModelSpec,
    readonly regressor: Regressor<BodyByKind[K]>,
  ) {
    super(spec);
    this.scratch = new Float64Array(spec.featureNames.length);
  }
  /** Predicted return for a row that is already scaled (the league's evaluation path). */
  predictScaledReturn(x: ArrayLike<number>, offset: number): number {
    return this.regressor.predictRow(x, offset);
  }
  predict(features: readonly number[], lastPrice: number): number {
    this.check(features, lastPrice);
    scaleFeatures(features, 0, lastPrice, this.featureScaling, this.scratch, 0);
    return returnToPrice(this.regressor.predictRow(this.scratch, 0), lastPrice);
  }
  toJSON(): ModelJson {
    // The mapped-union type cannot correlate `kind` with `body` through the generic K.
    return { ...this.envelope(), kind: this.kind, body: this.regressor.toJSON() } as LearnedModelJson;
  }
}

