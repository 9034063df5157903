import { scaleValue, type FeatureScaling } from "./scaling.js";

/**
 * The columns a model learns on: the scaled features, less those that repeat another one exactly.
 *
 * momentum = last − lag_3, so once scaled momentum / last = −(lag_3 / last − 1): the scaled
 * momentum column is the scaled lag_3 column negated, on every row. Kept, it adds nothing a model
 * could use, and the credit for that one piece of information is split between the two columns
 * by accident (which column a tree meets first, how ElasticNet's L2 term spreads a weight).
 * So the model sees lag_3 only, and reports the importance of its column for the group
 * {lag_3, momentum}. The raw features (the silver table's, the SymbolActor's) do not change:
 * `predict` takes all of them and builds its inputs with the same `writeRow` the league uses.
 */
interface Identity {
  /** The feature left out of the inputs … */
  feature: string;
  scaling: FeatureScaling;
  /** … because, scaled, it is an exact function of this one. */
  sameAs: string;
  sameAsScaling: FeatureScaling;
}

const IDENTITIES: readonly Identity[] = [{ feature: "momentum", scaling: "scale", sameAs: "lag_3", sameAsScaling: "level" }];

/** The features one input column stands for (its own first) and the share of importance it earned. */
export interface ImportanceGroup {
  features: string[];
  importance: number;
}

/** Where a model's input columns come from: `inputNames[k]` is the raw feature column k reads, scaled. */
export class ModelInputs {
  /** Per input column, the index of the raw feature it reads. */
  readonly columns: Int32Array;

  constructor(
    readonly featureNames: readonly string[],
    readonly scaling: readonly FeatureScaling[],
    readonly inputNames: readonly string[],
  ) {
    if (scaling.length !== featureNames.length) throw new RangeError(`featureScaling has ${scaling.length} entries for ${featureNames.length} features`);
    if (inputNames.length === 0) throw new RangeError("a model needs at least one input column");
    if (new Set(inputNames).size !== inputNames.length) throw new RangeError(`model inputs repeat a feature: ${inputNames.join(", ")}`);
    this.columns = Int32Array.from(inputNames, (name) => {
      const j = featureNames.indexOf(name);
      if (j < 0) throw new RangeError(`model input ${JSON.stringify(name)} is not one of the features (${featureNames.join(", ")})`);
      return j;
    });
  }

  /** Every scaled feature except those an identity makes redundant (momentum when lag_3 is there). */
  static forFeatures(featureNames: readonly string[], scaling: readonly FeatureScaling[]): ModelInputs {
    return new ModelInputs(featureNames, scaling, featureNames.filter((name) => redundantWith(featureNames, scaling, name) === undefined));
  }

  get cols(): number {
    return this.columns.length;
  }

  /** Writes the input columns of one raw feature row (at `inOffset`) into `out` at `outOffset`. */
  writeRow(features: ArrayLike<number>, inOffset: number, last: number, out: Float64Array, outOffset: number): void {
    for (let k = 0; k < this.columns.length; k++) {
      const j = this.columns[k]!;
      out[outOffset + k] = scaleValue(features[inOffset + j]!, last, this.scaling[j]!);
    }
  }

  /** Per input column, the features it stands for: itself, then the features left out because they repeat it. */
  groups(): string[][] {
    const groups = this.inputNames.map((name) => [name]);
    for (const name of this.featureNames) {
      if (this.inputNames.includes(name)) continue;
      const k = this.inputNames.indexOf(redundantWith(this.featureNames, this.scaling, name) ?? "");
      // A left-out feature no identity explains (hand-made inputs) is a group of its own that the model never used.
      if (k >= 0) groups[k]!.push(name);
      else groups.push([name]);
    }
    return groups;
  }

  /**
   * Importances per input column (normalised) → per group, and per feature for the per-name
   * records (`feature_importances`): a group's share is split evenly between its features, so
   * lag_3 and momentum always report the same number and the two add up to their column's share.
   */
  importances(perColumn: ArrayLike<number>): { byFeature: Record<string, number>; groups: ImportanceGroup[] } {
    const groups = this.groups().map((features, k) => ({ features, importance: k < this.cols ? (perColumn[k] ?? 0) : 0 }));
    const share = new Map(groups.flatMap((g) => g.features.map((name) => [name, g.importance / g.features.length] as const)));
    return { byFeature: Object.fromEntries(this.featureNames.map((name) => [name, share.get(name) ?? 0])), groups };
  }
}

/** The input a feature repeats exactly once scaled, if both are present with the scalings the identity needs. */
function redundantWith(featureNames: readonly string[], scaling: readonly FeatureScaling[], name: string): string | undefined {
  const scalingOf = (n: string) => scaling[featureNames.indexOf(n)];
  const identity = IDENTITIES.find((i) => i.feature === name && scalingOf(name) === i.scaling && featureNames.includes(i.sameAs) && scalingOf(i.sameAs) === i.sameAsScaling);
  return identity?.sameAs;
}
