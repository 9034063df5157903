/**
 * Silver bars → an ML Dataset. Features are recomputed with `featureMatrix`, the very function
 * whose `featuresAt` the SymbolActor calls online, so training and serving cannot disagree.
 * Label: the next bar's close (horizon 1, stored with every model).
 *
 * Lags and the label count bars, and a window with no trade emits no bar, so "the next bar" can
 * be minutes later and "lag_3" an hour old. Rows whose bars (the 10 the features read and the
 * label's) are not one slide apart are excluded: they would train and test a different question.
 */
import { datasetFromRows, type Dataset } from "../ml/index.js";
import type { LiveError } from "../ml/demotion.js";
import { FEATURE_NAMES, FEATURE_WARMUP_BARS, featureMatrix } from "../market/features.js";
import { chronological, type TrainingBar } from "./silver-source.js";

export interface BuiltDataset {
  dataset: Dataset;
  /** Index into the (chronological) bars of each dataset row. */
  barIndex: number[];
  /** The bars the dataset was built from, oldest first. */
  bars: TrainingBar[];
  /** Rows left out because their features or label span a gap larger than the slide. */
  excluded: number;
  /** The slide: the smallest step between consecutive window ends (ms), or null with < 2 bars. */
  slideMs: number | null;
}

/** Rows = bars past the 10-bar warm-up that have a next bar, without gaps. Time of a row = its bar's window end. */
export function buildDataset(input: readonly TrainingBar[]): BuiltDataset {
  const bars = chronological(input);
  const m = featureMatrix(bars);
  const slideMs = slideOf(bars);
  const gapsBefore = gapPrefix(bars, slideMs);
  const rows = [];
  const barIndex: number[] = [];
  for (let i = 0; i < m.X.length; i++) {
    const b = m.barIndex[i]!;
    // Steps into bars b − 8 … b + 1, i.e. between bar b − 9 (the oldest ma_10 reads) and the label's bar.
    if (gapsBefore[b + 1]! - gapsBefore[b - (FEATURE_WARMUP_BARS - 1)]! > 0) continue;
    rows.push({ features: m.X[i]!, last: m.price[i]!, target: m.y[i]!, time: bars[b]!.windowEnd });
    barIndex.push(b);
  }
  return { dataset: datasetFromRows(rows, FEATURE_NAMES, 1), barIndex, bars, excluded: m.X.length - rows.length, slideMs };
}

/**
 * The live errors of `version`: every bar it predicted whose next bar is one slide later (the
 * same gap rule as the dataset), with the naive forecast's error on the same bar. Oldest first.
 */
export function liveErrors(input: readonly TrainingBar[], version: string): LiveError[] {
  const bars = chronological(input);
  const slideMs = slideOf(bars);
  const out: LiveError[] = [];
  for (let i = 0; i + 1 < bars.length; i++) {
    const bar = bars[i]!;
    const next = bars[i + 1]!;
    if (bar.modelVersion !== version || bar.prediction == null || next.windowEnd - bar.windowEnd !== slideMs) continue;
    out.push({ time: bar.windowEnd, error: next.close - bar.prediction, naiveError: next.close - bar.close });
  }
  return out;
}

/** Smallest positive step between consecutive window ends. */
export function slideOf(bars: readonly TrainingBar[]): number | null {
  let min = Infinity;
  for (let i = 1; i < bars.length; i++) {
    const d = bars[i]!.windowEnd - bars[i - 1]!.windowEnd;
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : null;
}

/** out[k] = number of steps larger than the slide among steps into bars 1 … k (out[0] = 0). */
function gapPrefix(bars: readonly TrainingBar[], slideMs: number | null): Int32Array {
  const out = new Int32Array(bars.length);
  for (let k = 1; k < bars.length; k++) {
    const big = slideMs !== null && bars[k]!.windowEnd - bars[k - 1]!.windowEnd > slideMs ? 1 : 0;
    out[k] = out[k - 1]! + big;
  }
  return out;
}

/** Training rows `bars` would give, without building the dataset (the watcher's hunt check; gaps may leave fewer). */
export function usableRows(barCount: number): number {
  // featureMatrix: bar i needs i ≥ 9 (warm-up) and a bar i + 1.
  return Math.max(0, barCount - FEATURE_WARMUP_BARS);
}
