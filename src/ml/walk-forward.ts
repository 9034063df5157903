/**
 * Walk-forward evaluation with an expanding window. The rows after an initial training span are
 * cut into `folds` consecutive test blocks; fold k trains on every row before its block (less
 * the h − 1 rows whose labels reach into it) and predicts the block. The predictions of all
 * blocks together are one out-of-sample series, so the tests see many more held-out rows than a
 * single 80/20 cut, and every prediction was made by a model that had only the past.
 */
import { MIN_TRAIN_ROWS, type RowRange } from "./dataset.js";
import { InsufficientData, InvalidDataset } from "./errors.js";

export interface WalkForwardOptions {
  /** Test blocks. Default 5. */
  folds?: number;
  /** Share of rows in the first training span. Default 0.2. */
  initialTrainShare?: number;
  /** Least rows in the first training span when there are enough rows. Default 50. */
  minInitialTrain?: number;
}

export interface WalkForwardFold {
  train: RowRange;
  test: RowRange;
}

export interface WalkForwardPlan {
  folds: WalkForwardFold[];
  /** All held-out rows: from the first test block to the last row. */
  heldOut: RowRange;
}

/** One chronological 80/20 cut (one fit): the original's split, kept for the speed bench. */
export const SINGLE_SPLIT_80_20: WalkForwardOptions = { folds: 1, initialTrainShare: 0.8, minInitialTrain: 1 };

export const DEFAULT_WALK_FORWARD: Required<WalkForwardOptions> = { folds: 5, initialTrainShare: 0.2, minInitialTrain: 50 };

/**
 * The plan for `rows` rows. The first span is max(minInitialTrain, initialTrainShare · rows),
 * but never more than 80% of the rows, so small datasets still hold out a fifth (as the
 * original's 80/20 split did); too few rows for MIN_TRAIN_ROWS training rows is InsufficientData.
 */
export function walkForwardPlan(rows: number, horizon = 1, options: WalkForwardOptions = {}): WalkForwardPlan {
  const o = { ...DEFAULT_WALK_FORWARD, ...options };
  if (!Number.isInteger(o.folds) || o.folds < 1) throw new InvalidDataset(`folds must be an integer ≥ 1, got ${o.folds}`);
  if (!(o.initialTrainShare > 0 && o.initialTrainShare < 1)) throw new InvalidDataset(`initialTrainShare must be in (0, 1), got ${o.initialTrainShare}`);
  if (!Number.isInteger(o.minInitialTrain) || o.minInitialTrain < 1) throw new InvalidDataset(`minInitialTrain must be an integer ≥ 1, got ${o.minInitialTrain}`);
  const start = Math.min(Math.max(o.minInitialTrain, Math.floor(rows * o.initialTrainShare)), Math.floor(rows * 0.8));
  const firstTrain = start - (horizon - 1);
  if (firstTrain < MIN_TRAIN_ROWS || start >= rows) {
    const required = Math.ceil((MIN_TRAIN_ROWS + horizon - 1) / 0.8) + 1;
    throw new InsufficientData(`need at least ${required} rows to train, have ${rows}`, rows, required);
  }
  const k = Math.min(o.folds, rows - start);
  const folds: WalkForwardFold[] = [];
  for (let i = 0; i < k; i++) {
    const from = start + Math.round((i * (rows - start)) / k);
    const to = start + Math.round(((i + 1) * (rows - start)) / k);
    folds.push({ train: { start: 0, end: from - (horizon - 1) }, test: { start: from, end: to } });
  }
  return { folds, heldOut: { start, end: rows } };
}

/**
 * The fewest rows whose plan holds out at least `minHeldOut` rows: the first round that can test a
 * candidate (150 rows with the defaults and 100 held-out rows). Rounds before it refuse every
 * candidate before any test, so they spend nothing of the false-promotion budget (promotion.ts).
 */
export function firstTestableRows(minHeldOut: number, horizon = 1, options: WalkForwardOptions = {}): number {
  if (!Number.isInteger(minHeldOut) || minHeldOut < 1) throw new RangeError(`minHeldOut must be an integer ≥ 1, got ${minHeldOut}`);
  // Held-out rows grow by at least a fifth of a row per row, so the search ends well before this.
  const limit = 10 * minHeldOut + 10 * (MIN_TRAIN_ROWS + horizon) + (options.minInitialTrain ?? DEFAULT_WALK_FORWARD.minInitialTrain) * 2;
  for (let rows = minHeldOut + 1; rows <= limit; rows++) {
    let plan: WalkForwardPlan;
    try {
      plan = walkForwardPlan(rows, horizon, options);
    } catch (err) {
      if (err instanceof InsufficientData) continue;
      throw err;
    }
    if (plan.heldOut.end - plan.heldOut.start >= minHeldOut) return rows;
  }
  throw new RangeError(`no plan of up to ${limit} rows holds out ${minHeldOut} rows`);
}
