/** What every learner fits on: scaled features (row-major) and the return label. */
export interface LearnerData {
  x: Float64Array;
  y: Float64Array;
  rows: number;
  cols: number;
}

/** A fitted learner: predicts the return of one scaled feature row. */
export interface Regressor<J> {
  predictRow(x: ArrayLike<number>, offset: number): number;
  toJSON(): J;
}

export interface Fitted<R> {
  regressor: R;
  /** Per feature, normalised to sum 1 (all zeros when the model uses no feature). */
  importances: Float64Array;
}

export type ProgressCallback = (done: number, total: number) => void;

export function normalise(v: Float64Array): Float64Array {
  let total = 0;
  for (const x of v) total += x;
  return v.map((x) => (total > 0 ? x / total : 0));
}
