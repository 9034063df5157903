/** A stream or bucket exists with a config we must not change in place (storage, retention, ...). */
export class IncompatibleStreamConfig extends Error {
  override readonly name = "IncompatibleStreamConfig";
  readonly retryable = false;
  constructor(
    readonly stream: string,
    readonly field: string,
    message: string,
  ) {
    super(`stream ${stream}: ${field} ${message}`);
  }
}

/** Creating or updating a stream/bucket failed for a reason other than an incompatible config. */
export class BootstrapFailed extends Error {
  override readonly name = "BootstrapFailed";
  readonly retryable = true;
  constructor(
    readonly stream: string,
    options: { cause: unknown },
  ) {
    super(`could not create or update stream ${stream}: ${String((options.cause as Error)?.message ?? options.cause)}`, options);
  }
}

/** Could not reach any NATS server. */
export class NatsConnectFailed extends Error {
  override readonly name = "NatsConnectFailed";
  readonly retryable = true;
  constructor(
    readonly servers: string[],
    options: { cause: unknown },
  ) {
    super(`could not connect to NATS at ${servers.join(",")}`, options);
  }
}
