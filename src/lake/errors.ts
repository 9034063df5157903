/** Named lake errors. `retryable` tells a supervisor whether trying again can help. */

export class LakeStorageError extends Error {
  override readonly name = "LakeStorageError";
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Another writer committed the version we tried to write; re-read the log and try again. */
export class LakeCommitConflict extends Error {
  override readonly name = "LakeCommitConflict";
  readonly retryable = true;
  constructor(
    readonly version: number,
    options?: { cause?: unknown },
  ) {
    super(`delta log version ${version} already exists`, options);
  }
}

/** A concurrent commit made ours invalid (e.g. it removed a file we meant to compact). */
export class LakeConcurrentModification extends Error {
  override readonly name = "LakeConcurrentModification";
  readonly retryable = false;
}

export class LakeTableNotFound extends Error {
  override readonly name = "LakeTableNotFound";
  readonly retryable = false;
}

export class LakeProtocolError extends Error {
  override readonly name = "LakeProtocolError";
  readonly retryable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class LakeVersionNotFound extends Error {
  override readonly name = "LakeVersionNotFound";
  readonly retryable = false;
}

/**
 * A lake consumer saw a delivery out of sequence: someone else pulls from its durable (a writer
 * that has not stopped yet, whose client re-attached to the recreated consumer) or a delivery was
 * lost in transit. Its buffer is still a gap-free run of the log, so it recreates the consumer at
 * the table's position and goes on; what the other puller took is delivered again.
 */
export class LakeConsumerInterleaved extends Error {
  readonly retryable = true;
  constructor(durable: string, expected: number, got: number) {
    super(`${durable}: delivery ${got} arrived where ${expected} was due (another client pulls from this consumer, or a delivery was lost)`);
    this.name = "LakeConsumerInterleaved";
  }
}
