import { ModelLoadError } from "../errors.js";

/** A regression tree as parallel arrays; node 0 is the root, feature −1 marks a leaf. */
export interface TreeJson {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export class FlatTree {
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;

  /** `cols`, when given, bounds the feature indices (a loaded tree must fit its model's features). */
  constructor(json: TreeJson, cols = Infinity) {
    const n = json.feature.length;
    if (n === 0 || [json.threshold, json.left, json.right, json.value].some((a) => !Array.isArray(a) || a.length !== n)) {
      throw new ModelLoadError("tree arrays are empty or of different lengths");
    }
    this.feature = Int32Array.from(json.feature);
    this.threshold = Float64Array.from(json.threshold);
    this.left = Int32Array.from(json.left);
    this.right = Int32Array.from(json.right);
    this.value = Float64Array.from(json.value);
    for (let i = 0; i < n; i++) {
      if (this.feature[i]! >= cols) throw new ModelLoadError(`tree node ${i} splits on feature ${this.feature[i]} of ${cols}`);
      if (this.feature[i]! >= 0 && !(this.left[i]! > i && this.left[i]! < n && this.right[i]! > i && this.right[i]! < n)) {
        throw new ModelLoadError(`tree node ${i} has children outside the tree`);
      }
    }
  }

  get nodeCount(): number {
    return this.feature.length;
  }

  /** x ≤ threshold goes left, as in training. */
  predictRow(x: ArrayLike<number>, offset: number): number {
    let node = 0;
    let f = this.feature[0]!;
    while (f >= 0) {
      node = x[offset + f]! <= this.threshold[node]! ? this.left[node]! : this.right[node]!;
      f = this.feature[node]!;
    }
    return this.value[node]!;
  }

  toJSON(): TreeJson {
    return {
      feature: Array.from(this.feature),
      threshold: Array.from(this.threshold),
      left: Array.from(this.left),
      right: Array.from(this.right),
      value: Array.from(this.value),
    };
  }
}
