/** Named errors of the web layer, and the one place that maps them to tRPC codes. */
import { TRPCError } from "@trpc/server";

/** The log (NATS/JetStream) could not answer: stream missing, server away. Retryable. */
export class MarketDataUnavailable extends Error {
  override name = "MarketDataUnavailable";
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The database failed a read. Retryable. */
export class HistoryReadFailed extends Error {
  override name = "HistoryReadFailed";
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A message on the log did not have the shape its contract promises. */
export class MalformedMessage extends Error {
  override name = "MalformedMessage";
  constructor(
    readonly subject: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${subject}: ${message}`, options);
  }
}

/** The node's status provider threw. */
export class StatusUnavailable extends Error {
  override name = "StatusUnavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Maps a thrown value to the TRPCError the client sees (message kept, code by kind). */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  if (err instanceof MarketDataUnavailable || err instanceof HistoryReadFailed || err instanceof StatusUnavailable) {
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: err.message, cause: err });
  }
  if (err instanceof MalformedMessage) return new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: err.message, cause: err });
  return new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: err instanceof Error ? err.message : String(err), cause: err });
}
