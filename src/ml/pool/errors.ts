/** The pool already holds maxThreads running + maxQueue waiting tasks. Retry later (backpressure). */
export class TrainingQueueFull extends Error {
  override readonly name = "TrainingQueueFull";
  readonly retryable = true;
  constructor(
    readonly pending: number,
    readonly capacity: number,
  ) {
    super(`training queue is full: ${pending} tasks pending, capacity ${capacity} (maxThreads + maxQueue)`);
  }
}

/** The task's AbortSignal fired before it finished; a running worker was terminated. */
export class TrainingAborted extends Error {
  override readonly name = "TrainingAborted";
  readonly retryable = true;
}

/** The worker threw (bad data, bad params, worker crash); `cause` holds the worker's error. */
export class TrainingFailed extends Error {
  override readonly name = "TrainingFailed";
  readonly retryable = false;
}

/** The pool was closed; no new tasks are accepted. */
export class TrainingPoolClosed extends Error {
  override readonly name = "TrainingPoolClosed";
  readonly retryable = false;
}
