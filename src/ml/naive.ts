import { BaseModel } from "./base-model.js";
import type { ModelJson } from "./model-json.js";

/** The baseline every model must beat: the next price equals the last one. */
export class NaiveModel extends BaseModel {
  readonly kind = "naive" as const;
  predict(features: readonly number[], lastPrice: number): number {
    this.check(features, lastPrice);
    return lastPrice;
  }
  toJSON(): ModelJson {
    return { ...this.envelope(), kind: "naive" };
  }
}

