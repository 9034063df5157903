/** Named failures of sharded regions. `retryable` tells a caller whether trying again can help. */

export class RegionClosed extends Error {
  readonly retryable = false;
  constructor(region: string, options?: ErrorOptions) {
    super(`region ${region} is closed`, options);
    this.name = "RegionClosed";
  }
}

export class RegionAskTimeout extends Error {
  readonly retryable = true;
  constructor(region: string, key: string, timeoutMs: number, options?: ErrorOptions) {
    super(`ask to ${region}/${key} got no reply within ${timeoutMs} ms`, options);
    this.name = "RegionAskTimeout";
  }
}

/** The entity accepted the ask, but its reply was lost before it reached us (e.g. across a handoff). */
export class RegionAskOutcomeUnknown extends Error {
  readonly retryable = false;
  constructor(region: string, key: string, options?: ErrorOptions) {
    super(`ask to ${region}/${key} was delivered but its reply was lost`, options);
    this.name = "RegionAskOutcomeUnknown";
  }
}

/** The owner refused the message for good (it could not be decoded, or the entity cannot run). */
export class RegionDeliveryFailed extends Error {
  readonly retryable = false;
  constructor(region: string, key: string, reason: string, options?: ErrorOptions) {
    super(`delivery to ${region}/${key} failed: ${reason}`, options);
    this.name = "RegionDeliveryFailed";
  }
}

/** The entity's handler threw while answering an ask. */
export class RegionAskFailed extends Error {
  readonly retryable = false;
  constructor(region: string, key: string, reason: string, options?: ErrorOptions) {
    super(`entity ${region}/${key} failed answering: ${reason}`, options);
    this.name = "RegionAskFailed";
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
