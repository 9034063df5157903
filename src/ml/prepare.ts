import type { Dataset, RowRange } from "./dataset.js";
import type { ModelInputs } from "./model-inputs.js";
import { priceToReturn } from "./scaling.js";


/** The rows of a range as the learners see them: the model's input columns (model-inputs.ts) and the return label. */
export interface PreparedData {
  rows: number;
  cols: number;
  /** Row-major input columns (scaled features, less the redundant ones). */
  x: Float64Array;
  /** Label as a return: target / last − 1. */
  y: Float64Array;
  last: Float64Array;
  target: Float64Array;
}

export function prepareRange(ds: Dataset, range: RowRange, inputs: ModelInputs): PreparedData {
  const p = ds.featureNames.length;
  const cols = inputs.cols;
  const rows = range.end - range.start;
  const x = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const r = range.start + i;
    inputs.writeRow(ds.x, r * p, ds.last[r]!, x, i * cols);
    y[i] = priceToReturn(ds.target[r]!, ds.last[r]!);
  }
  return {
    rows,
    cols,
    x,
    y,
    last: ds.last.slice(range.start, range.end),
    target: ds.target.slice(range.start, range.end),
  };
}

/** Per-column mean and population standard deviation (ddof 0, as scikit-learn's StandardScaler). */
export interface ColumnStats {
  mean: Float64Array;
  std: Float64Array;
}

export function columnStats(x: Float64Array, rows: number, cols: number): ColumnStats {
  const mean = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mean[j]! += x[i * cols + j]!;
  for (let j = 0; j < cols; j++) mean[j]! /= rows;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const d = x[i * cols + j]! - mean[j]!;
      std[j]! += d * d;
    }
  }
  for (let j = 0; j < cols; j++) std[j] = Math.sqrt(std[j]! / rows);
  return { mean, std };
}

/** Column-wise z-scores; constant columns (std 0) become all zeros. */
export function standardize(x: Float64Array, rows: number, cols: number, stats: ColumnStats): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const s = stats.std[j]!;
      out[i * cols + j] = s > 0 ? (x[i * cols + j]! - stats.mean[j]!) / s : 0;
    }
  }
  return out;
}
