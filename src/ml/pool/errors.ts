import { namedError } from "../../runtime/named-error.js";

/** The pool already holds maxThreads running + maxQueue waiting tasks. Retry later (backpressure). */
export class TrainingQueueFull extends namedError("TrainingQueueFull", { retryable: true }) {
  constructor(
    readonly pending: number,
    readonly capacity: number,
  ) {
    super(`training queue is full: ${pending} tasks pending, capacity ${capacity} (maxThreads + maxQueue)`);
  }
}

/** The task's AbortSignal fired before it finished; a running worker was terminated. */
export class TrainingAborted extends namedError("TrainingAborted", { retryable: true }) {}

/** The worker threw (bad data, bad params, worker crash); `cause` holds the worker's error. */
export class TrainingFailed extends namedError("TrainingFailed", { retryable: false }) {}

/** The pool was closed; no new tasks are accepted. */
export class TrainingPoolClosed extends namedError("TrainingPoolClosed", { retryable: false }) {}
