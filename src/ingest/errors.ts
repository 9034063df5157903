/** Named failures of the ingest path. `retryable` tells a supervisor whether restarting can help. */
import { namedError } from "../runtime/named-error.js";

export class TradeBatchDecodeError extends namedError("TradeBatchDecodeError", { retryable: false }) {
  constructor(message: string, options?: ErrorOptions) {
    super(`trade batch: ${message}`, options);
  }
}

export class ControlRequestFailed extends namedError("ControlRequestFailed", { retryable: true }) {
  constructor(method: string, message: string, options?: ErrorOptions) {
    super(`${method} failed: ${message}`, options);
  }
}

export class PublisherClosed extends namedError("PublisherClosed", { retryable: false }) {
  constructor() {
    super("trade log publisher is closed");
  }
}

/** The exchange refused a backfill request in a way that will not heal (400 invalid symbol, bad parameter, 403…). */
export class BackfillRejected extends namedError("BackfillRejected", { retryable: false }) {
  /** Binance's error code (-1121 invalid symbol, -1100 bad parameter…), null when the body had none. */
  constructor(readonly status: number, readonly code: number | null, message: string, options?: ErrorOptions) {
    super(`backfill rejected: HTTP ${status}${code === null ? "" : ` code ${code}`}: ${message}`, options);
  }
}

/** 429/418 more often than allowed, or a Retry-After longer than the caller will wait. */
export class BackfillRateLimited extends namedError("BackfillRateLimited", { retryable: true }) {
  constructor(readonly status: number, readonly retryAfterMs: number, message: string) {
    super(`backfill rate-limited: HTTP ${status}, retry after ${retryAfterMs} ms: ${message}`);
  }
}

/** Network failures, timeouts or 5xx answers that outlasted the retries. */
export class BackfillUnavailable extends namedError("BackfillUnavailable", { retryable: true }) {
  constructor(message: string, options?: ErrorOptions) {
    super(`backfill unavailable: ${message}`, options);
  }
}

/** The exchange answered 200 with something that is not a valid, ascending list of trades. */
export class BackfillInvalidResponse extends namedError("BackfillInvalidResponse", { retryable: false }) {
  constructor(message: string, options?: ErrorOptions) {
    super(`backfill response invalid: ${message}`, options);
  }
}
