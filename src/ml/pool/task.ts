import type { WalkForwardOptions } from "../walk-forward.js";
import type { MessagePort } from "node:worker_threads";
import type { ParamOverrides } from "../algorithms.js";
import type { Dataset } from "../dataset.js";
import type { TrainingRun } from "../league.js";
import type { Algorithm } from "../model-json.js";

/** A Dataset as plain data: its typed arrays travel to the worker as transferables. */
export interface DatasetPayload {
  featureNames: string[];
  rows: number;
  horizon: number;
  x: Float64Array;
  last: Float64Array;
  target: Float64Array;
  time: Float64Array;
}

/** One unit of work: one algorithm on one symbol's dataset. */
export interface TrainingTask<A extends Algorithm = Algorithm> {
  symbol: string;
  algorithm: A;
  params?: ParamOverrides[A];
  evaluation?: WalkForwardOptions;
  dataset: DatasetPayload;
  /** Where the worker reports progress; set by TrainingPool. */
  progress?: MessagePort;
}

export interface TrainingResult {
  symbol: string;
  algorithm: Algorithm;
  run: TrainingRun;
  /** The naive forecast on the same held-out window. */
  naive: TrainingRun;
  /** worker_threads threadId of the worker that trained it (0 would mean the main thread). */
  threadId: number;
}

/** Worker → pool messages on the task's progress port. */
export type WorkerProgress = { type: "started" } | { type: "progress"; done: number; total: number };

/** Copies a dataset into a payload whose buffers can be transferred without detaching the caller's arrays. */
export function toPayload(ds: Dataset): { payload: DatasetPayload; transfer: ArrayBuffer[] } {
  const payload: DatasetPayload = {
    featureNames: [...ds.featureNames],
    rows: ds.rows,
    horizon: ds.horizon,
    x: ds.x.slice(),
    last: ds.last.slice(),
    target: ds.target.slice(),
    time: ds.time.slice(),
  };
  return { payload, transfer: [payload.x.buffer, payload.last.buffer, payload.target.buffer, payload.time.buffer] as ArrayBuffer[] };
}

export function fromPayload(p: DatasetPayload): Dataset {
  return { featureNames: p.featureNames, rows: p.rows, horizon: p.horizon, x: p.x, last: p.last, target: p.target, time: p.time };
}
