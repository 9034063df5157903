import { validateTreeParams, type DecisionTreeParams } from "./decision-tree.js";
import { normalise, type Fitted, type LearnerData, type ProgressCallback, type Regressor } from "./learner-data.js";
import { seededRng } from "./rng.js";
import { binMatrix } from "./tree/binning.js";
import { FlatTree, type TreeJson } from "./tree/flat-tree.js";
import { growTree } from "./tree/grow.js";
import { requireInt, requireNumber } from "./validate.js";

/**
 * Bagged histogram trees: each tree sees a bootstrap sample (drawn as per-row counts used as
 * weights, so no row is copied) and draws `maxFeatures` of the features at every split.
 */
export interface RandomForestParams {
  nTrees: number;
  maxDepth: number;
  minSamplesLeaf: number;
  maxBins: number;
  /** Fraction of features tried per split; count = max(1, ceil(fraction · p)). 1/3 is Spark's "onethird". */
  maxFeatures: number;
  bootstrap: boolean;
  seed: number;
}

export const RANDOM_FOREST_DEFAULTS: RandomForestParams = {
  nTrees: 20,
  maxDepth: 10,
  minSamplesLeaf: 1,
  maxBins: 256,
  maxFeatures: 1 / 3,
  bootstrap: true,
  seed: 42,
};

/** Features tried per split for a fraction: Spark's rule (ceil), never below one. */
export function featureCount(fraction: number, cols: number): number {
  return Math.max(1, Math.min(cols, Math.ceil(fraction * cols - 1e-9)));
}

export function validateForestParams(p: RandomForestParams): RandomForestParams {
  return validateEnsembleParams(p, 2 ** 32 - 1);
}

/** What every forest's parameters must hold (this one's and ml-random-forest's); `maxSeed` is the most its generator takes. */
export function validateEnsembleParams<P extends DecisionTreeParams & { nTrees: number; maxFeatures: number; seed: number }>(p: P, maxSeed: number): P {
  validateTreeParams(p);
  requireInt("nTrees", p.nTrees, 1, 10_000);
  requireNumber("maxFeatures", p.maxFeatures, 0, 1);
  requireInt("seed", p.seed, 0, maxSeed);
  return p;
}

export interface RandomForestJson {
  trees: TreeJson[];
}

export class RandomForestRegressor implements Regressor<RandomForestJson> {
  constructor(readonly trees: readonly FlatTree[]) {}
  predictRow(x: ArrayLike<number>, offset: number): number {
    let s = 0;
    for (const t of this.trees) s += t.predictRow(x, offset);
    return s / this.trees.length;
  }
  toJSON(): RandomForestJson {
    return { trees: this.trees.map((t) => t.toJSON()) };
  }
  static fromJSON(json: RandomForestJson, cols?: number): RandomForestRegressor {
    return new RandomForestRegressor(json.trees.map((t) => new FlatTree(t, cols)));
  }
}

export function fitRandomForest(
  data: LearnerData,
  params: RandomForestParams,
  onProgress?: ProgressCallback,
): Fitted<RandomForestRegressor> {
  validateForestParams(params);
  const rng = seededRng(params.seed);
  const bm = binMatrix(data.x, data.rows, data.cols, params.maxBins);
  const n = data.rows;
  const weight = new Float64Array(n);
  const grad = new Float64Array(n);
  const importances = new Float64Array(data.cols);
  const trees: FlatTree[] = [];
  for (let t = 0; t < params.nTrees; t++) {
    weight.fill(params.bootstrap ? 0 : 1);
    if (params.bootstrap) for (let i = 0; i < n; i++) weight[Math.floor(rng() * n)]!++;
    let used = 0;
    for (let i = 0; i < n; i++) {
      grad[i] = weight[i]! * data.y[i]!;
      if (weight[i]! > 0) used++;
    }
    const rows = new Uint32Array(used);
    for (let i = 0, k = 0; i < n; i++) if (weight[i]! > 0) rows[k++] = i;
    const grown = growTree(bm, grad, weight, rows, {
      maxDepth: params.maxDepth,
      minSamplesLeaf: params.minSamplesLeaf,
      maxFeatures: featureCount(params.maxFeatures, data.cols),
      rng,
    });
    trees.push(grown.tree);
    // Each tree's importances sum to 1 before averaging, as scikit-learn does.
    normalise(grown.gains).forEach((v, f) => (importances[f]! += v / params.nTrees));
    onProgress?.(t + 1, params.nTrees);
  }
  return { regressor: new RandomForestRegressor(trees), importances: normalise(importances) };
}
