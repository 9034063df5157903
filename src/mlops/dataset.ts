/**
 * Silver bars → an ML Dataset. Features are recomputed with `featureMatrix`, the very function
 * whose `featuresAt` the SymbolActor calls online, so training and serving cannot disagree.
 * Label: the next bar's close (horizon 1, stored with every model).
 */
import { datasetFromRows, type Dataset } from "../ml/index.js";
import { FEATURE_NAMES, FEATURE_WARMUP_BARS, featureMatrix } from "../market/features.js";
import { chronological, type TrainingBar } from "./silver-source.js";

export interface BuiltDataset {
  dataset: Dataset;
  /** Index into the (chronological) bars of each dataset row. */
  barIndex: number[];
  /** The bars the dataset was built from, oldest first. */
  bars: TrainingBar[];
}

/** Rows = bars past the 10-bar warm-up that have a next bar. Time of a row = its bar's window end. */
export function buildDataset(input: readonly TrainingBar[]): BuiltDataset {
  const bars = chronological(input);
  const m = featureMatrix(bars);
  const rows = m.X.map((features, i) => ({ features, last: m.price[i]!, target: m.y[i]!, time: bars[m.barIndex[i]!]!.windowEnd }));
  return { dataset: datasetFromRows(rows, FEATURE_NAMES, 1), barIndex: m.barIndex, bars };
}

/** Training rows `bars` would give, without building the dataset (the watcher's hunt check). */
export function usableRows(barCount: number): number {
  // featureMatrix: bar i needs i ≥ 9 (warm-up) and a bar i + 1.
  return Math.max(0, barCount - FEATURE_WARMUP_BARS);
}
