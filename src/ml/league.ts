import { performance } from "node:perf_hooks";
import { LEAGUE_ALGORITHMS, fitAlgorithm, resolveParams, type ParamOverrides, type ParamsByAlgorithm } from "./algorithms.js";
import type { ModelSpec } from "./base-model.js";
import { chronologicalSplit, validateDataset, type Dataset, type RowRange, type Split } from "./dataset.js";
import type { ProgressCallback } from "./learner-data.js";
import { evaluatePredictions, type Metrics } from "./metrics.js";
import type { Algorithm, Model, ModelJson, ModelKind } from "./model.js";
import { NaiveModel } from "./naive.js";
import { defaultFeatureScaling, prepareRange, returnToPrice, type FeatureScaling, type PreparedData } from "./prepare.js";
import { ReturnModel } from "./return-model.js";

/** The held-out rows every model of one league is scored on; promotion compares only equal windows. */
export interface HeldOutWindow {
  /** Time of the first and last held-out row (epoch ms). */
  from: number;
  to: number;
  rows: number;
}

export interface TrainingRun {
  kind: ModelKind;
  params: Record<string, number | boolean>;
  metrics: Metrics;
  /** Feature name → share of the model's importance (sums to 1, or all 0). */
  importances: Record<string, number>;
  rows: { train: number; test: number };
  timeRange: { train: { from: number; to: number }; test: { from: number; to: number } };
  window: HeldOutWindow;
  horizon: number;
  /** Fitting alone, and fitting + scoring, in milliseconds. */
  fitMs: number;
  durationMs: number;
  model: ModelJson;
}

export interface LeagueOptions {
  algorithms?: readonly Algorithm[];
  params?: ParamOverrides;
  /** Share of the latest rows held out; 0.2 as in the original. */
  testFraction?: number;
  featureScaling?: readonly FeatureScaling[];
  onProgress?: (algorithm: Algorithm, done: number, total: number) => void;
}

export interface LeagueResult {
  split: Split;
  naive: TrainingRun;
  runs: TrainingRun[];
}

/** The split and scaled matrices shared by every algorithm of one league. */
export interface LeagueData {
  ds: Dataset;
  split: Split;
  scaling: readonly FeatureScaling[];
  train: PreparedData;
  test: PreparedData;
}

export function prepareLeague(ds: Dataset, options: Pick<LeagueOptions, "testFraction" | "featureScaling"> = {}): LeagueData {
  validateDataset(ds);
  const split = chronologicalSplit(ds, options.testFraction ?? 0.2);
  const scaling = options.featureScaling ?? defaultFeatureScaling(ds.featureNames);
  if (scaling.length !== ds.featureNames.length) throw new RangeError(`featureScaling has ${scaling.length} entries for ${ds.featureNames.length} features`);
  return { ds, split, scaling, train: prepareRange(ds, split.train, scaling), test: prepareRange(ds, split.test, scaling) };
}

/** Trains every algorithm on the same split and scores all of them, and the naive forecast, on the same window. */
export function trainLeague(ds: Dataset, options: LeagueOptions = {}): LeagueResult {
  const data = prepareLeague(ds, options);
  const runs = (options.algorithms ?? LEAGUE_ALGORITHMS).map((algorithm) =>
    trainOnLeague(data, algorithm, options.params?.[algorithm] ?? {}, (done, total) => options.onProgress?.(algorithm, done, total)),
  );
  return { split: data.split, naive: naiveRun(data), runs };
}

export function trainOnLeague<A extends Algorithm>(
  data: LeagueData,
  algorithm: A,
  overrides: Partial<ParamsByAlgorithm[A]> = {},
  onProgress?: ProgressCallback,
): TrainingRun {
  const params = resolveParams(algorithm, overrides);
  const started = performance.now();
  const fitted = fitAlgorithm(algorithm, data.train, params, onProgress);
  const fitMs = performance.now() - started;
  const model = new ReturnModel(algorithm, modelSpec(data), fitted.regressor);
  const { test } = data;
  const pred = new Float64Array(test.rows);
  for (let i = 0; i < test.rows; i++) pred[i] = returnToPrice(model.predictScaledReturn(test.x, i * test.cols), test.last[i]!);
  const metrics = evaluatePredictions(pred, test.target, test.last);
  const importances = Object.fromEntries(data.ds.featureNames.map((name, j) => [name, fitted.importances[j] ?? 0]));
  return runRecord(data, algorithm, { ...params }, metrics, importances, fitMs, performance.now() - started, model.toJSON());
}

/** The baseline run: next price = last price, on the same held-out window. */
export function naiveRun(data: LeagueData): TrainingRun {
  const started = performance.now();
  const metrics = evaluatePredictions(data.test.last, data.test.target, data.test.last);
  const importances = Object.fromEntries(data.ds.featureNames.map((name) => [name, 0]));
  const model = new NaiveModel(modelSpec(data));
  return runRecord(data, "naive", {}, metrics, importances, 0, performance.now() - started, model.toJSON());
}

/**
 * Scores any model (e.g. the current champion) through its public `predict` on the rows of
 * `range`, so it can be compared with candidates on exactly their window.
 */
export function scoreModel(model: Model, ds: Dataset, range: RowRange): { window: HeldOutWindow; metrics: Metrics } {
  const p = ds.featureNames.length;
  const n = range.end - range.start;
  const pred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = range.start + i;
    pred[i] = model.predict(Array.from(ds.x.subarray(r * p, (r + 1) * p)), ds.last[r]!);
  }
  return {
    window: windowOf(ds, range),
    metrics: evaluatePredictions(pred, ds.target.subarray(range.start, range.end), ds.last.subarray(range.start, range.end)),
  };
}

export function windowOf(ds: Dataset, range: RowRange): HeldOutWindow {
  return { from: ds.time[range.start]!, to: ds.time[range.end - 1]!, rows: range.end - range.start };
}

function modelSpec(data: LeagueData): ModelSpec {
  return { horizon: data.ds.horizon, featureNames: [...data.ds.featureNames], featureScaling: [...data.scaling] };
}

function runRecord(
  data: LeagueData,
  kind: ModelKind,
  params: Record<string, number | boolean>,
  metrics: Metrics,
  importances: Record<string, number>,
  fitMs: number,
  durationMs: number,
  model: ModelJson,
): TrainingRun {
  const { ds, split } = data;
  return {
    kind,
    params,
    metrics,
    importances,
    rows: { train: split.train.end - split.train.start, test: split.test.end - split.test.start },
    timeRange: {
      train: { from: ds.time[split.train.start]!, to: ds.time[split.train.end - 1]! },
      test: { from: ds.time[split.test.start]!, to: ds.time[split.test.end - 1]! },
    },
    window: windowOf(ds, split.test),
    horizon: ds.horizon,
    fitMs,
    durationMs,
    model,
  };
}
