/** Named lake errors. `retryable` tells a supervisor whether trying again can help. */
import { namedError } from "../runtime/named-error.js";

export class LakeStorageError extends namedError("LakeStorageError", { retryable: true }) {}

/** Another writer committed the version we tried to write; re-read the log and try again. */
export class LakeCommitConflict extends namedError("LakeCommitConflict", { retryable: true }) {
  constructor(
    readonly version: number,
    options?: { cause?: unknown },
  ) {
    super(`delta log version ${version} already exists`, options);
  }
}

/** A concurrent commit made ours invalid (e.g. it removed a file we meant to compact). */
export class LakeConcurrentModification extends namedError("LakeConcurrentModification", { retryable: false }) {}

export class LakeTableNotFound extends namedError("LakeTableNotFound", { retryable: false }) {}

export class LakeProtocolError extends namedError("LakeProtocolError", { retryable: false }) {}

export class LakeVersionNotFound extends namedError("LakeVersionNotFound", { retryable: false }) {}

/**
 * A lake consumer saw a delivery out of sequence: someone else pulls from its durable (a writer
 * that has not stopped yet, whose client re-attached to the recreated consumer) or a delivery was
 * lost in transit. Its buffer is still a gap-free run of the log, so it recreates the consumer at
 * the table's position and goes on; what the other puller took is delivered again.
 */
export class LakeConsumerInterleaved extends namedError("LakeConsumerInterleaved", { retryable: true }) {
  constructor(durable: string, expected: number, got: number) {
    super(`${durable}: delivery ${got} arrived where ${expected} was due (another client pulls from this consumer, or a delivery was lost)`);
  }
}
