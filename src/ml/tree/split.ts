import type { BinnedMatrix } from "./binning.js";

/** Below this many rows a node finds its split by sorting rather than from a histogram. */
export const SMALL_NODE = 64;

/** Split "bin ≤ `bin` on feature f goes left", with the left side's sums. */
export interface Split {
  f: number;
  bin: number;
  /** Σ-of-squares reduction: GL²/HL + GR²/HR − G²/H. */
  gain: number;
  gl: number;
  hl: number;
}

/** One node's search: candidate features are features[0 … nFeatures−1]. */
export interface NodeSearch {
  features: Int32Array;
  nFeatures: number;
  minLeaf: number;
  /** Gains at or below this are float noise. */
  minGain: number;
  g: number;
  h: number;
}

/** Best split from the node's histogram (interleaved Σg, Σh per bin, `stride` bins per feature). */
export function splitFromHistogram(s: NodeSearch, hist: Float64Array, stride: number, nBins: Uint16Array): Split | null {
  const { g, h, minLeaf } = s;
  const parentScore = (g * g) / h;
  let best: Split | null = null;
  let bestGain = s.minGain;
  for (let k = 0; k < s.nFeatures; k++) {
    const f = s.features[k]!;
    const base = f * stride * 2;
    const last = nBins[f]! - 1;
    let gl = 0, hl = 0;
    for (let b = 0; b < last; b++) {
      gl += hist[base + 2 * b]!;
      hl += hist[base + 2 * b + 1]!;
      if (hl < minLeaf) continue;
      const hr = h - hl;
      if (hr < minLeaf) break;
      const gr = g - gl;
      const gain = (gl * gl) / hl + (gr * gr) / hr - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        best = { f, bin: b, gain, gl, hl };
      }
    }
  }
  return best;
}

/**
 * The same search for a node of fewer than SMALL_NODE rows, without a histogram: its rows sorted
 * by bin (key = bin << 16 | position), the upper side of each distinct bin a candidate. Picks the
 * same split as splitFromHistogram would (up to float summation order).
 */
export function splitBySorting(
  s: NodeSearch,
  bm: BinnedMatrix,
  rows: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  scratch: Uint32Array,
): Split | null {
  const { g, h, minLeaf } = s;
  const parentScore = (g * g) / h;
  const { bins, cols } = bm;
  const n = end - start;
  const keys = scratch.subarray(0, n);
  let best: Split | null = null;
  let bestGain = s.minGain;
  for (let k = 0; k < s.nFeatures; k++) {
    const f = s.features[k]!;
    for (let i = 0; i < n; i++) keys[i] = (bins[rows[start + i]! * cols + f]! << 16) | i;
    keys.sort();
    let gl = 0, hl = 0;
    for (let i = 0; i < n - 1; i++) {
      const r = rows[start + (keys[i]! & 0xffff)]!;
      gl += grad[r]!;
      hl += hess[r]!;
      const bin = keys[i]! >>> 16;
      if (bin === keys[i + 1]! >>> 16 || hl < minLeaf) continue;
      const hr = h - hl;
      if (hr < minLeaf) break;
      const gr = g - gl;
      const gain = (gl * gl) / hl + (gr * gr) / hr - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        best = { f, bin, gain, gl, hl };
      }
    }
  }
  return best;
}
