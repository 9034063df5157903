import { performance } from "node:perf_hooks";
import { LEAGUE_ALGORITHMS, fitAlgorithm, resolveParams, type ParamOverrides, type ParamsByAlgorithm } from "./algorithms.js";
import type { ModelSpec } from "./base-model.js";
import { validateDataset, type Dataset, type RowRange, type Split } from "./dataset.js";
import type { ProgressCallback } from "./learner-data.js";
import { evaluatePredictions, type Metrics } from "./metrics.js";
import type { Algorithm, Model, ModelJson, ModelKind } from "./model-json.js";
import { ModelInputs, type ImportanceGroup } from "./model-inputs.js";
import { NaiveModel } from "./naive.js";
import { prepareRange, type PreparedData } from "./prepare.js";
import { defaultFeatureScaling, returnToPrice, type FeatureScaling } from "./scaling.js";
import { ReturnModel } from "./return-model.js";
import { walkForwardPlan, type WalkForwardOptions, type WalkForwardPlan } from "./walk-forward.js";

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
  /** Feature name → share of the model's importance (sums to 1, or all 0); one column's features (lag_3, momentum) share it evenly. */
  importances: Record<string, number>;
  /** Per input column: the features it stands for and its share, as the learner credited it. */
  importanceGroups: ImportanceGroup[];
  rows: { train: number; test: number };
  timeRange: { train: { from: number; to: number }; test: { from: number; to: number } };
  window: HeldOutWindow;
  /** Predicted prices on the window's rows, in order (the walk-forward folds' out-of-sample forecasts). */
  predictions: Float64Array;
  horizon: number;
  /** Fitting alone, and fitting + scoring, in milliseconds. */
  fitMs: number;
  durationMs: number;
  model: ModelJson;
}

export interface LeagueOptions {
  algorithms?: readonly Algorithm[];
  params?: ParamOverrides;
  /** Walk-forward folds (see walk-forward.ts). */
  evaluation?: WalkForwardOptions;
  featureScaling?: readonly FeatureScaling[];
  onProgress?: (algorithm: Algorithm, done: number, total: number) => void;
}

export interface LeagueResult {
  /** train: the last fold's training rows; test: every held-out row of the walk-forward. */
  split: Split;
  naive: TrainingRun;
  runs: TrainingRun[];
}

/** The walk-forward plan and the scaled matrix shared by every algorithm of one league. */
export interface LeagueData {
  ds: Dataset;
  plan: WalkForwardPlan;
  split: Split;
  scaling: readonly FeatureScaling[];
  /** The learners' columns: the scaled features less the redundant ones (model-inputs.ts). */
  inputs: ModelInputs;
  /** Every row as input columns; folds fit on views of it. */
  all: PreparedData;
  /** The last fold's training rows (a view of `all`). */
  train: PreparedData;
  /** The held-out rows (the last `plan.heldOut` rows). */
  test: PreparedData;
}

export function prepareLeague(ds: Dataset, options: Pick<LeagueOptions, "evaluation" | "featureScaling"> = {}): LeagueData {
  validateDataset(ds);
  const plan = walkForwardPlan(ds.rows, ds.horizon, options.evaluation);
  const split: Split = { train: plan.folds[plan.folds.length - 1]!.train, test: plan.heldOut };
  const scaling = options.featureScaling ?? defaultFeatureScaling(ds.featureNames);
  if (scaling.length !== ds.featureNames.length) throw new RangeError(`featureScaling has ${scaling.length} entries for ${ds.featureNames.length} features`);
  const inputs = ModelInputs.forFeatures(ds.featureNames, scaling);
  const all = prepareRange(ds, { start: 0, end: ds.rows }, inputs);
  return { ds, plan, split, scaling, inputs, all, train: rowsOf(all, split.train), test: rowsOf(all, plan.heldOut) };
}

/** Rows [start, end) of prepared data as views (no copy). */
function rowsOf(p: PreparedData, r: RowRange): PreparedData {
  return {
    rows: r.end - r.start,
    cols: p.cols,
    x: p.x.subarray(r.start * p.cols, r.end * p.cols),
    y: p.y.subarray(r.start, r.end),
    last: p.last.subarray(r.start, r.end),
    target: p.target.subarray(r.start, r.end),
  };
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
  const { folds, heldOut } = data.plan;
  const pred = new Float64Array(heldOut.end - heldOut.start);
  let fitMs = 0;
  let last: { model: ReturnModel<A>; importances: Float64Array } | null = null;
  for (const [k, fold] of folds.entries()) {
    const fitStarted = performance.now();
    // Progress over all folds: each fit reports done/total of its own trees or rounds.
    const fitted = fitAlgorithm(algorithm, rowsOf(data.all, fold.train), params, onProgress && ((done, total) => onProgress(k * total + done, folds.length * total)));
    fitMs += performance.now() - fitStarted;
    const model = new ReturnModel(algorithm, modelSpec(data), fitted.regressor);
    const { all } = data;
    for (let r = fold.test.start; r < fold.test.end; r++) pred[r - heldOut.start] = returnToPrice(model.predictScaledReturn(all.x, r * all.cols), all.last[r]!);
    last = { model, importances: fitted.importances };
  }
  const { test } = data;
  const metrics = evaluatePredictions(pred, test.target, test.last, data.ds.horizon);
  // The served model is the last fold's: the one whose forecasts of the last block were tested.
  return runRecord(data, algorithm, { ...params }, metrics, pred, last!.importances, fitMs, performance.now() - started, last!.model.toJSON());
}

/** The baseline run: next price = last price, on the same held-out window. */
export function naiveRun(data: LeagueData): TrainingRun {
  const started = performance.now();
  const metrics = evaluatePredictions(data.test.last, data.test.target, data.test.last, data.ds.horizon);
  const model = new NaiveModel(modelSpec(data));
  return runRecord(data, "naive", {}, metrics, data.test.last.slice(), new Float64Array(data.inputs.cols), 0, performance.now() - started, model.toJSON());
}

/**
 * Scores any model (e.g. the current champion) through its public `predict` on the rows of
 * `range`, so it can be compared with candidates on exactly their window.
 */
export function scoreModel(model: Model, ds: Dataset, range: RowRange): { window: HeldOutWindow; metrics: Metrics; predictions: Float64Array } {
  const p = ds.featureNames.length;
  const n = range.end - range.start;
  const pred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = range.start + i;
    pred[i] = model.predict(Array.from(ds.x.subarray(r * p, (r + 1) * p)), ds.last[r]!);
  }
  return {
    window: windowOf(ds, range),
    metrics: evaluatePredictions(pred, ds.target.subarray(range.start, range.end), ds.last.subarray(range.start, range.end), ds.horizon),
    predictions: pred,
  };
}

export function windowOf(ds: Dataset, range: RowRange): HeldOutWindow {
  return { from: ds.time[range.start]!, to: ds.time[range.end - 1]!, rows: range.end - range.start };
}

function modelSpec(data: LeagueData): ModelSpec {
  return { horizon: data.ds.horizon, featureNames: [...data.ds.featureNames], featureScaling: [...data.scaling], inputs: [...data.inputs.inputNames] };
}

function runRecord(
  data: LeagueData,
  kind: ModelKind,
  params: Record<string, number | boolean>,
  metrics: Metrics,
  predictions: Float64Array,
  columnImportances: Float64Array,
  fitMs: number,
  durationMs: number,
  model: ModelJson,
): TrainingRun {
  const { ds, split } = data;
  const importances = data.inputs.importances(columnImportances);
  return {
    kind,
    params,
    metrics,
    importances: importances.byFeature,
    importanceGroups: importances.groups,
    rows: { train: split.train.end - split.train.start, test: split.test.end - split.test.start },
    timeRange: {
      train: { from: ds.time[split.train.start]!, to: ds.time[split.train.end - 1]! },
      test: { from: ds.time[split.test.start]!, to: ds.time[split.test.end - 1]! },
    },
    window: windowOf(ds, split.test),
    predictions,
    horizon: ds.horizon,
    fitMs,
    durationMs,
    model,
  };
}
