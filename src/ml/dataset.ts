import { InsufficientData, InvalidDataset } from "./errors.js";

/**
 * One symbol's training data as flat typed arrays (cheap to transfer to a worker).
 * Row i: features at bar i, the bar's last price, and the label = the price `horizon` bars later.
 */
export interface Dataset {
  readonly featureNames: readonly string[];
  readonly rows: number;
  /** Row-major, rows × featureNames.length. */
  readonly x: Float64Array;
  /** Price at the row's bar: the naive forecast and the base of the return target. */
  readonly last: Float64Array;
  /** The label: the price `horizon` bars after the row's bar. */
  readonly target: Float64Array;
  /** Row time (bar end), epoch ms, non-decreasing. */
  readonly time: Float64Array;
  readonly horizon: number;
}

export interface DatasetRow {
  features: readonly number[];
  last: number;
  target: number;
  time: number;
}

/** Builds and validates a Dataset from row objects (e.g. silver bars joined with the next bar's price). */
export function datasetFromRows(
  rows: readonly DatasetRow[],
  featureNames: readonly string[],
  horizon = 1,
): Dataset {
  const p = featureNames.length;
  const x = new Float64Array(rows.length * p);
  const last = new Float64Array(rows.length);
  const target = new Float64Array(rows.length);
  const time = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    if (row.features.length !== p) {
      throw new InvalidDataset(`row ${i} has ${row.features.length} features, expected ${p}`);
    }
    x.set(row.features, i * p);
    last[i] = row.last;
    target[i] = row.target;
    time[i] = row.time;
  });
  return validateDataset({ featureNames: [...featureNames], rows: rows.length, x, last, target, time, horizon });
}

/** Throws InvalidDataset unless shapes agree, values are finite, prices positive and time ordered. */
export function validateDataset(ds: Dataset): Dataset {
  const p = ds.featureNames.length;
  if (p === 0) throw new InvalidDataset("dataset has no features");
  if (!Number.isInteger(ds.horizon) || ds.horizon < 1) throw new InvalidDataset(`horizon must be an integer ≥ 1, got ${ds.horizon}`);
  if (ds.x.length !== ds.rows * p) throw new InvalidDataset(`x has ${ds.x.length} values, expected rows × features = ${ds.rows * p}`);
  for (const [name, arr] of [["last", ds.last], ["target", ds.target], ["time", ds.time]] as const) {
    if (arr.length !== ds.rows) throw new InvalidDataset(`${name} has ${arr.length} values, expected ${ds.rows}`);
  }
  for (let i = 0; i < ds.x.length; i++) {
    if (!Number.isFinite(ds.x[i])) throw new InvalidDataset(`feature ${ds.featureNames[i % p]} of row ${Math.floor(i / p)} is not finite`);
  }
  for (let i = 0; i < ds.rows; i++) {
    if (!(ds.last[i]! > 0) || !Number.isFinite(ds.last[i])) throw new InvalidDataset(`last price of row ${i} must be a positive number`);
    if (!(ds.target[i]! > 0) || !Number.isFinite(ds.target[i])) throw new InvalidDataset(`target price of row ${i} must be a positive number`);
    if (!Number.isFinite(ds.time[i]) || (i > 0 && ds.time[i]! < ds.time[i - 1]!)) {
      throw new InvalidDataset(`row ${i} is out of chronological order`);
    }
  }
  return ds;
}

/** Half-open row range [start, end). */
export interface RowRange {
  start: number;
  end: number;
}

export interface Split {
  train: RowRange;
  test: RowRange;
}

/** Fewest training rows we accept; below this every model is noise. */
export const MIN_TRAIN_ROWS = 10;

/**
 * Chronological split, no shuffling: the first (1 − testFraction) of rows train, the rest test.
 * With horizon h > 1 the last h − 1 training rows are dropped (purged): their labels lie inside the
 * test window, so keeping them would leak held-out prices into training.
 */
export function chronologicalSplit(ds: Dataset, testFraction = 0.2): Split {
  if (!(testFraction > 0 && testFraction < 1)) throw new InvalidDataset(`testFraction must be in (0, 1), got ${testFraction}`);
  const testStart = Math.floor(ds.rows * (1 - testFraction));
  const trainEnd = testStart - (ds.horizon - 1);
  const required = Math.ceil((MIN_TRAIN_ROWS + ds.horizon - 1) / (1 - testFraction)) + 1;
  if (trainEnd < MIN_TRAIN_ROWS || testStart >= ds.rows) {
    throw new InsufficientData(`need at least ${required} rows to train, have ${ds.rows}`, ds.rows, required);
  }
  return { train: { start: 0, end: trainEnd }, test: { start: testStart, end: ds.rows } };
}

/** Rows [start, end) as a new Dataset (copies), e.g. the data a previous league saw. */
export function sliceDataset(ds: Dataset, start: number, end: number): Dataset {
  const p = ds.featureNames.length;
  return {
    featureNames: [...ds.featureNames],
    rows: end - start,
    x: ds.x.slice(start * p, end * p),
    last: ds.last.slice(start, end),
    target: ds.target.slice(start, end),
    time: ds.time.slice(start, end),
    horizon: ds.horizon,
  };
}
