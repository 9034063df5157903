/** Named failures of sharded regions. `retryable` tells a caller whether trying again can help. */
import { namedError } from "../../named-error.js";

export class RegionClosed extends namedError("RegionClosed", { retryable: false }) {
  constructor(region: string, options?: ErrorOptions) {
    super(`region ${region} is closed`, options);
  }
}

export class RegionAskTimeout extends namedError("RegionAskTimeout", { retryable: true }) {
  constructor(region: string, key: string, timeoutMs: number, options?: ErrorOptions) {
    super(`ask to ${region}/${key} got no reply within ${timeoutMs} ms`, options);
  }
}

/** The entity accepted the ask, but its reply was lost before it reached us (e.g. across a handoff). */
export class RegionAskOutcomeUnknown extends namedError("RegionAskOutcomeUnknown", { retryable: false }) {
  constructor(region: string, key: string, options?: ErrorOptions) {
    super(`ask to ${region}/${key} was delivered but its reply was lost`, options);
  }
}

/** The owner refused the message for good (it could not be decoded, or the entity cannot run). */
export class RegionDeliveryFailed extends namedError("RegionDeliveryFailed", { retryable: false }) {
  constructor(region: string, key: string, reason: string, options?: ErrorOptions) {
    super(`delivery to ${region}/${key} failed: ${reason}`, options);
  }
}

/** The entity's handler threw while answering an ask. */
export class RegionAskFailed extends namedError("RegionAskFailed", { retryable: false }) {
  constructor(region: string, key: string, reason: string, options?: ErrorOptions) {
    super(`entity ${region}/${key} failed answering: ${reason}`, options);
  }
}

export class InvalidRegionOptions extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidRegionOptions";
  }
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
