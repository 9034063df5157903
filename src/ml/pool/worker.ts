/**
 * The Piscina worker: one pure function from a task to its training run. Runs on a worker
 * thread, never on the event loop. Progress goes out on the task's port; the result (metrics,
 * importances and the model's JSON) is the return value.
 */
import { threadId } from "node:worker_threads";
import { naiveRun, prepareLeague, trainOnLeague } from "../league.js";
import { fromPayload, type TrainingResult, type TrainingTask, type WorkerProgress } from "./task.js";

export default function train(task: TrainingTask): TrainingResult {
  const report = (message: WorkerProgress) => task.progress?.postMessage(message);
  try {
    report({ type: "started" });
    const data = prepareLeague(fromPayload(task.dataset), task.evaluation ? { evaluation: task.evaluation } : {});
    const run = trainOnLeague(data, task.algorithm, task.params ?? {}, (done, total) => report({ type: "progress", done, total }));
    return { symbol: task.symbol, algorithm: task.algorithm, run, naive: naiveRun(data), threadId };
  } finally {
    task.progress?.close();
  }
}
