import { RandomForestRegression } from "ml-random-forest";
import { normalise, type Fitted, type LearnerData, type ProgressCallback, type Regressor } from "./learner-data.js";
import { validateEnsembleParams } from "./random-forest.js";

/**
 * The owner's named library, kept as an alternative model kind ("ml-random-forest"). Its trees
 * (ml-cart) sort candidate thresholds at every node, quadratic in rows: fine for a few hundred
 * bars, too slow past a few thousand (see the README's figures), so the league's default forest
 * is the histogram one. Feature bagging here is per tree (the library's design), not per split.
 */
export interface MljsForestParams {
  nTrees: number;
  maxDepth: number;
  /** ml-cart's minNumSamples: fewest rows a node needs to be split further. */
  minSamplesLeaf: number;
  maxBins: number;
  /** Fraction of features each tree sees. */
  maxFeatures: number;
  seed: number;
}

export const MLJS_FOREST_DEFAULTS: MljsForestParams = {
  nTrees: 20,
  maxDepth: 10,
  minSamplesLeaf: 3,
  maxBins: 256,
  maxFeatures: 1,
  seed: 42,
};

export function validateMljsForestParams(p: MljsForestParams): MljsForestParams {
  return validateEnsembleParams(p, 2 ** 31 - 1);
}

/** The library's own JSON (opaque to us). */
export type MljsForestJson = ReturnType<RandomForestRegression["toJSON"]>;

interface WithImportance {
  featureImportance(): number[];
}

export class MljsForestRegressor implements Regressor<MljsForestJson> {
  private readonly row: number[];
  constructor(
    private readonly forest: RandomForestRegression,
    cols: number,
  ) {
    this.row = new Array<number>(cols).fill(0);
  }
  predictRow(x: ArrayLike<number>, offset: number): number {
    for (let j = 0; j < this.row.length; j++) this.row[j] = x[offset + j]!;
    return this.forest.predict([this.row])[0]!;
  }
  toJSON(): MljsForestJson {
    return this.forest.toJSON();
  }
  static fromJSON(json: MljsForestJson, cols: number): MljsForestRegressor {
    return new MljsForestRegressor(RandomForestRegression.load(json), cols);
  }
}

/**
 * The library reads any number in (0, 1] — the integer 1 included — as a fraction floored to a
 * count, so one feature must be asked for as a fraction that floors to 1.
 */
function mljsFeatureOption(fraction: number, cols: number): number {
  const count = Math.max(1, Math.floor(fraction * cols));
  return count >= cols ? 1 : count === 1 ? 1.5 / cols : count;
}

export function fitMljsForest(data: LearnerData, params: MljsForestParams, onProgress?: ProgressCallback): Fitted<MljsForestRegressor> {
  validateMljsForestParams(params);
  const x: number[][] = [];
  for (let i = 0; i < data.rows; i++) x.push(Array.from(data.x.subarray(i * data.cols, (i + 1) * data.cols)));
  const forest = new RandomForestRegression({
    nEstimators: params.nTrees,
    maxFeatures: mljsFeatureOption(params.maxFeatures, data.cols),
    replacement: false,
    useSampleBagging: true,
    noOOB: true,
    seed: params.seed,
    treeOptions: { maxDepth: params.maxDepth, minNumSamples: params.minSamplesLeaf },
  });
  forest.train(x, Array.from(data.y));
  onProgress?.(params.nTrees, params.nTrees);
  const raw = (forest as unknown as WithImportance).featureImportance();
  return {
    regressor: new MljsForestRegressor(forest, data.cols),
    importances: normalise(Float64Array.from(raw, (v) => (Number.isFinite(v) ? v : 0))),
  };
}
