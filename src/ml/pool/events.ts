import type { Metrics } from "../metrics.js";
import type { Algorithm } from "../model-json.js";

export interface TaskRef {
  taskId: number;
  symbol: string;
  algorithm: Algorithm;
  /** Epoch ms when the pool saw it happen. */
  at: number;
}

/** What the pool reports about each task; plain data the dashboard can show as is. */
export type TrainingEvent =
  | (TaskRef & { type: "queued" })
  | (TaskRef & { type: "started" })
  | (TaskRef & { type: "progress"; done: number; total: number })
  | (TaskRef & { type: "completed"; metrics: Metrics; fitMs: number; durationMs: number })
  | (TaskRef & { type: "failed"; error: string })
  | (TaskRef & { type: "aborted" });

export type TrainingEventListener = (event: TrainingEvent) => void;

/** An event without its task reference (what a task's code reports; the pool adds the rest). */
export type TrainingEventBody = TrainingEvent extends infer E ? (E extends TrainingEvent ? Omit<E, keyof TaskRef> : never) : never;
