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

/** The exchange refused a backfill request in a way that will not heal (400 invalid symbol, bad parameter, 403…). */
export class BackfillRejected extends Error {
  override readonly name = "BackfillRejected";
  readonly retryable = false;
  /** Binance's error code (-1121 invalid symbol, -1100 bad parameter…), null when the body had none. */
  constructor(readonly status: number, readonly code: number | null, message: string, options?: ErrorOptions) {
    super(`backfill rejected: HTTP ${status}${code === null ? "" : ` code ${code}`}: ${message}`, options);
  }
}

/** 429/418 more often than allowed, or a Retry-After longer than the caller will wait. */
export class BackfillRateLimited extends Error {
  override readonly name = "BackfillRateLimited";
  readonly retryable = true;
  constructor(readonly status: number, readonly retryAfterMs: number, message: string) {
    super(`backfill rate-limited: HTTP ${status}, retry after ${retryAfterMs} ms: ${message}`);
  }
}

/** Network failures, timeouts or 5xx answers that outlasted the retries. */
export class BackfillUnavailable extends Error {
  override readonly name = "BackfillUnavailable";
  readonly retryable = true;
  constructor(message: string, options?: ErrorOptions) {
    super(`backfill unavailable: ${message}`, options);
  }
}

/** The exchange answered 200 with something that is not a valid, ascending list of trades. */
export class BackfillInvalidResponse extends Error {
  override readonly name = "BackfillInvalidResponse";
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(`backfill response invalid: ${message}`, options);
  }
}
