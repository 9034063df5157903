/** Named failures of the ingest path. `retryable` tells a supervisor whether restarting can help. */
export class TradeBatchDecodeError extends Error {
  override readonly name = "TradeBatchDecodeError";
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(`trade batch: ${message}`, options);
  }
}

export class ControlRequestFailed extends Error {
  override readonly name = "ControlRequestFailed";
  readonly retryable = true;
  constructor(method: string, message: string, options?: ErrorOptions) {
    super(`${method} failed: ${message}`, options);
  }
}

export class PublisherClosed extends Error {
  override readonly name = "PublisherClosed";
  readonly retryable = false;
  constructor() {
    super("trade log publisher is closed");
  }
}
