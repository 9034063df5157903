import type { Rng } from "../rng.js";
import type { BinnedMatrix } from "./binning.js";
import { FlatTree } from "./flat-tree.js";
import { SMALL_NODE, splitFromHistogram, splitBySorting, type NodeSearch, type Split } from "./split.js";

export interface GrowOptions {
  maxDepth: number;
  /** Least total weight (row count when unweighted) on each side of a split. */
  minSamplesLeaf: number;
  /** Features drawn (without replacement) at each node; ≥ cols means all. */
  maxFeatures: number;
  /** Needed when maxFeatures < cols. */
  rng?: Rng;
}

/** A leaf and the slice of the (permuted) row array that landed in it. */
export interface LeafRange {
  node: number;
  start: number;
  end: number;
}

export interface GrownTree {
  tree: FlatTree;
  /** Squared-error reduction credited to each feature (unnormalised importances). */
  gains: Float64Array;
  leaves: LeafRange[];
}

/**
 * Grows one squared-error regression tree, depth first, from bin histograms of gradient
 * (Σ w·y) and hessian (Σ w) sums. A child's histogram is built for the smaller child only; the
 * larger one's is the parent's minus it. Nodes under SMALL_NODE rows skip histograms (whose
 * fixed cost is features × bins) and sort their rows by bin instead, with the same candidate
 * splits. Leaves predict Σ w·y / Σ w. `rows` lists the rows to use (weight > 0) and is permuted
 * in place so each leaf owns a contiguous slice of it.
 */
export function growTree(
  bm: BinnedMatrix,
  grad: Float64Array,
  hess: Float64Array,
  rows: Uint32Array,
  opts: GrowOptions,
): GrownTree {
  return new Grower(bm, grad, hess, rows, opts).grow();
}

class Grower {
  private readonly feature: number[] = [];
  private readonly threshold: number[] = [];
  private readonly left: number[] = [];
  private readonly right: number[] = [];
  private readonly value: number[] = [];
  private readonly leaves: LeafRange[] = [];
  private readonly gains: Float64Array;
  private readonly stride: number;
  private readonly slots: Float64Array[] = [];
  private readonly featureOrder: Int32Array;
  private readonly nSampled: number;
  private readonly sortKeys = new Uint32Array(SMALL_NODE);
  private tolerancePerWeight = 0;

  constructor(
    private readonly bm: BinnedMatrix,
    private readonly grad: Float64Array,
    private readonly hess: Float64Array,
    private readonly rows: Uint32Array,
    private readonly opts: GrowOptions,
  ) {
    this.gains = new Float64Array(bm.cols);
    this.stride = Math.max(...bm.nBins);
    this.featureOrder = Int32Array.from({ length: bm.cols }, (_, i) => i);
    this.nSampled = Math.max(1, Math.min(bm.cols, opts.maxFeatures));
    if (this.nSampled < bm.cols && !opts.rng) throw new RangeError("growTree: feature sampling needs an rng");
  }

  grow(): GrownTree {
    let g = 0, h = 0, sq = 0;
    for (let i = 0; i < this.rows.length; i++) {
      const r = this.rows[i]!;
      g += this.grad[r]!;
      h += this.hess[r]!;
      sq += (this.grad[r]! * this.grad[r]!) / this.hess[r]!;
    }
    // Gains below this (relative to the label's scale) are float noise, not structure.
    this.tolerancePerWeight = 1e-12 * (h > 0 ? sq / h : 0);
    let hist: Float64Array | null = null;
    if (this.needsHistogram(0, this.rows.length, h)) {
      hist = this.slot(0);
      this.buildHistogram(hist, 0, this.rows.length);
    }
    this.node(0, this.rows.length, 0, hist, g, h);
    const tree = new FlatTree({ feature: this.feature, threshold: this.threshold, left: this.left, right: this.right, value: this.value });
    return { tree, gains: this.gains, leaves: this.leaves };
  }

  private canSplit(depth: number, count: number, h: number): boolean {
    return depth < this.opts.maxDepth && count >= 2 && h >= 2 * this.opts.minSamplesLeaf;
  }

  private needsHistogram(depth: number, count: number, h: number): boolean {
    return count >= SMALL_NODE && this.canSplit(depth, count, h);
  }

  private slot(depth: number): Float64Array {
    return (this.slots[depth] ??= new Float64Array(this.bm.cols * this.stride * 2));
  }

  private buildHistogram(hist: Float64Array, start: number, end: number): void {
    hist.fill(0);
    const { bins, cols } = this.bm;
    const { rows, grad, hess, stride } = this;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      const g = grad[r]!, h = hess[r]!;
      const off = r * cols;
      for (let f = 0; f < cols; f++) {
        const idx = (f * stride + bins[off + f]!) << 1;
        hist[idx]! += g;
        hist[idx + 1]! += h;
      }
    }
  }

  /** Returns the id of the subtree's root node. `hist` is non-null iff needsHistogram(). */
  private node(start: number, end: number, depth: number, hist: Float64Array | null, g: number, h: number): number {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.value.push(g / h);
    let split: Split | null = null;
    if (this.canSplit(depth, end - start, h)) {
      this.sampleFeatures();
      const search: NodeSearch = {
        features: this.featureOrder,
        nFeatures: this.nSampled,
        minLeaf: this.opts.minSamplesLeaf,
        minGain: this.tolerancePerWeight * h,
        g,
        h,
      };
      split = hist
        ? splitFromHistogram(search, hist, this.stride, this.bm.nBins)
        : splitBySorting(search, this.bm, this.rows, start, end, this.grad, this.hess, this.sortKeys);
    }
    if (!split) {
      this.leaves.push({ node: id, start, end });
      return id;
    }
    const { f, bin, gain, gl, hl } = split;
    const mid = this.partition(start, end, f, bin);
    const nl = mid - start, nr = end - mid;
    const needL = this.needsHistogram(depth + 1, nl, hl);
    const needR = this.needsHistogram(depth + 1, nr, h - hl);
    let histL: Float64Array | null = null, histR: Float64Array | null = null;
    if (needL || needR) {
      const smallIsLeft = nl <= nr;
      const small = this.slot(depth + 1);
      this.buildHistogram(small, smallIsLeft ? start : mid, smallIsLeft ? mid : end);
      const largeNeeds = smallIsLeft ? needR : needL;
      if (largeNeeds) for (let i = 0; i < small.length; i++) hist![i]! -= small[i]!;
      histL = needL ? (smallIsLeft ? small : hist) : null;
      histR = needR ? (smallIsLeft ? hist : small) : null;
    }
    this.gains[f]! += gain;
    this.feature[id] = f;
    this.threshold[id] = this.bm.edges[f]![bin]!;
    this.left[id] = this.node(start, mid, depth + 1, histL, gl, hl);
    this.right[id] = this.node(mid, end, depth + 1, histR, g - gl, h - hl);
    return id;
  }

  /** Draws this node's features: the first nSampled entries of featureOrder. */
  private sampleFeatures(): void {
    const order = this.featureOrder;
    if (this.nSampled === order.length) return;
    const rng = this.opts.rng!;
    for (let i = 0; i < this.nSampled; i++) {
      const j = i + Math.floor(rng() * (order.length - i));
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
  }

  /** In-place: rows with bin ≤ `bin` on feature f first; returns the first index of the right side. */
  private partition(start: number, end: number, f: number, bin: number): number {
    const { bins, cols } = this.bm;
    const rows = this.rows;
    let i = start, j = end - 1;
    while (i <= j) {
      if (bins[rows[i]! * cols + f]! <= bin) i++;
      else {
        const t = rows[i]!;
        rows[i] = rows[j]!;
        rows[j] = t;
        j--;
      }
    }
    return i;
  }
}
