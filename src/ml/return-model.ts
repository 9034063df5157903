import { BaseModel } from "./base-model.js";
import type { Regressor } from "./learner-data.js";
import type { Algorithm, BodyByKind, LearnedModelJson, ModelJson } from "./model-json.js";
import { returnToPrice } from "./scaling.js";
import type { ModelSpec } from "./base-model.js";

/** A learner fitted on the model's input columns and the return label; predicts prices. */
export class ReturnModel<K extends Algorithm> extends BaseModel {
  private readonly scratch: Float64Array;
  constructor(
    readonly kind: K,
    spec: ModelSpec,
    readonly regressor: Regressor<BodyByKind[K]>,
  ) {
    super(spec);
    this.scratch = new Float64Array(this.inputs.cols);
  }
  /** Predicted return for a row of input columns already written by `inputs.writeRow` (the league's evaluation path). */
  predictScaledReturn(x: ArrayLike<number>, offset: number): number {
    return this.regressor.predictRow(x, offset);
  }
  predict(features: readonly number[], lastPrice: number): number {
    this.check(features, lastPrice);
    this.inputs.writeRow(features, 0, lastPrice, this.scratch, 0);
    return returnToPrice(this.regressor.predictRow(this.scratch, 0), lastPrice);
  }
  toJSON(): ModelJson {
    // The mapped-union type cannot correlate `kind` with `body` through the generic K.
    return { ...this.envelope(), kind: this.kind, body: this.regressor.toJSON() } as LearnedModelJson;
  }
}

