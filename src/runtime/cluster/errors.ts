import { namedError } from "../named-error.js";

/** ClusterNode options or the cluster buckets disagree with what safety needs. */
export class ClusterConfigError extends namedError("ClusterConfigError", { retryable: false }) {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** start() or leave() called in a lifecycle state that does not allow it. */
export class ClusterLifecycleError extends namedError("ClusterLifecycleError", { retryable: false }) {}
