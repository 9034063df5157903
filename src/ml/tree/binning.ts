import { InvalidParams } from "../errors.js";
import { ColumnSorter } from "./sort-order.js";

/**
 * Features quantised to at most 256 bins each, so split search scans bin histograms instead of
 * sorting rows at every node (the reason ml-cart is quadratic in rows and this is linear).
 * Bin b of feature f holds values v with edges[f][b−1] < v ≤ edges[f][b]; the last bin is open above.
 * Edges sit midway between neighbouring distinct training values, like scikit-learn's thresholds.
 */
export interface BinnedMatrix {
  rows: number;
  cols: number;
  /** Row-major bin ids, rows × cols: one row's bins share a cache line. */
  bins: Uint8Array;
  /** Per feature, the upper edge of every bin but the last (length = nBins[f] − 1). */
  edges: Float64Array[];
  nBins: Uint16Array;
}

export const MAX_BINS = 256;

export function binMatrix(x: Float64Array, rows: number, cols: number, maxBins = MAX_BINS): BinnedMatrix {
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > MAX_BINS) {
    throw new InvalidParams(`maxBins must be an integer in [2, ${MAX_BINS}], got ${maxBins}`);
  }
  const bins = new Uint8Array(rows * cols);
  const edges: Float64Array[] = [];
  const nBins = new Uint16Array(cols);
  const column = new Float64Array(rows);
  const sorted = new Float64Array(rows);
  const order = new Uint32Array(rows);
  const sorter = new ColumnSorter(rows);
  for (let f = 0; f < cols; f++) {
    for (let i = 0; i < rows; i++) column[i] = x[i * cols + f]!;
    sorter.order(column, order);
    for (let k = 0; k < rows; k++) sorted[k] = column[order[k]!]!;
    const e = binEdges(sorted, maxBins);
    edges.push(e);
    nBins[f] = e.length + 1;
    // binOf of each row, found walking the rows in ascending order instead of a search per row.
    let b = 0;
    for (let k = 0; k < rows; k++) {
      const v = sorted[k]!;
      while (b < e.length && e[b]! < v) b++;
      bins[order[k]! * cols + f] = v === v ? b : 0; // binOf(e, NaN) is 0
    }
  }
  return { rows, cols, bins, edges, nBins };
}

/** Edges from sorted values: one bin per distinct value when they fit, else quantile bins. */
export function binEdges(sorted: Float64Array, maxBins: number): Float64Array {
  const edges: number[] = [];
  if (distinctUpTo(sorted, maxBins + 1) <= maxBins) {
    for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) edges.push((sorted[i - 1]! + sorted[i]!) / 2);
    return Float64Array.from(edges);
  }
  const n = sorted.length;
  let prevUpper = -Infinity;
  for (let k = 1; k < maxBins; k++) {
    const upper = sorted[Math.min(n - 1, Math.floor((k * n) / maxBins) - 1)]!;
    if (upper <= prevUpper) continue; // a heavy value spans several quantiles: one bin
    const next = firstAbove(sorted, upper);
    if (next === undefined) break;
    edges.push((upper + next) / 2);
    prevUpper = upper;
  }
  return Float64Array.from(edges);
}

/** Distinct values in `sorted`, counted only up to `limit`: a continuous feature stops early. */
function distinctUpTo(sorted: Float64Array, limit: number): number {
  let count = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length && count < limit; i++) if (sorted[i] !== sorted[i - 1]) count++;
  return count;
}

/** Smallest value in `sorted` strictly above v, or undefined. */
function firstAbove(sorted: Float64Array, v: number): number | undefined {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo] : undefined;
}

/** First bin whose upper edge is ≥ v (binary search), or the last bin. */
export function binOf(edges: Float64Array, v: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
