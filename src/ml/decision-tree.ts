import { binMatrix } from "./tree/binning.js";
import { FlatTree, type TreeJson } from "./tree/flat-tree.js";
import { growTree } from "./tree/grow.js";
import { normalise, type Fitted, type LearnerData, type Regressor } from "./learner-data.js";
import { requireInt } from "./validate.js";

export interface DecisionTreeParams {
  maxDepth: number;
  minSamplesLeaf: number;
  maxBins: number;
}

export const DECISION_TREE_DEFAULTS: DecisionTreeParams = { maxDepth: 8, minSamplesLeaf: 1, maxBins: 256 };

export function validateTreeParams<P extends DecisionTreeParams>(p: P): P {
  requireInt("maxDepth", p.maxDepth, 1, 30);
  requireInt("minSamplesLeaf", p.minSamplesLeaf, 1);
  requireInt("maxBins", p.maxBins, 2, 256);
  return p;
}

export interface DecisionTreeJson {
  tree: TreeJson;
}

export class DecisionTreeRegressor implements Regressor<DecisionTreeJson> {
  constructor(readonly tree: FlatTree) {}
  predictRow(x: ArrayLike<number>, offset: number): number {
    return this.tree.predictRow(x, offset);
  }
  toJSON(): DecisionTreeJson {
    return { tree: this.tree.toJSON() };
  }
  static fromJSON(json: DecisionTreeJson, cols?: number): DecisionTreeRegressor {
    return new DecisionTreeRegressor(new FlatTree(json.tree, cols));
  }
}

/** One histogram-binned regression tree over all rows and all features. */
export function fitDecisionTree(data: LearnerData, params: DecisionTreeParams): Fitted<DecisionTreeRegressor> {
  validateTreeParams(params);
  const bm = binMatrix(data.x, data.rows, data.cols, params.maxBins);
  const hess = new Float64Array(data.rows).fill(1);
  const rows = Uint32Array.from({ length: data.rows }, (_, i) => i);
  const grown = growTree(bm, data.y, hess, rows, {
    maxDepth: params.maxDepth,
    minSamplesLeaf: params.minSamplesLeaf,
    maxFeatures: data.cols,
  });
  return { regressor: new DecisionTreeRegressor(grown.tree), importances: normalise(grown.gains) };
}
