import { JetStreamApiCodes, JetStreamApiError } from "@nats-io/jetstream";
import { namedError } from "../named-error.js";

/** A stream or bucket exists with a config we must not change in place (storage, retention, ...). */
export class IncompatibleStreamConfig extends namedError("IncompatibleStreamConfig", { retryable: false }) {
  constructor(
    readonly stream: string,
    readonly field: string,
    message: string,
  ) {
    super(`stream ${stream}: ${field} ${message}`);
  }
}

/** Creating or updating a stream/bucket failed for a reason other than an incompatible config. */
export class BootstrapFailed extends namedError("BootstrapFailed", { retryable: true }) {
  constructor(
    readonly stream: string,
    options: { cause: unknown },
  ) {
    super(`could not create or update stream ${stream}: ${String((options.cause as Error)?.message ?? options.cause)}`, options);
  }
}

/** Could not reach any NATS server, or it refused us. The servers are shown without credentials. */
export class NatsConnectFailed extends namedError("NatsConnectFailed", { retryable: true }) {
  constructor(
    readonly servers: string[],
    options: { cause: unknown; authenticating?: string },
  ) {
    const reason = String((options.cause as Error)?.message ?? options.cause);
    const refused = /authori[sz]ation|authentication|permissions? violation/i.test(reason);
    const hint = refused
      ? ` (the server refused ${options.authenticating ?? "our credentials"}: set NATS_USER/NATS_PASSWORD, NATS_TOKEN or NATS_CREDS, or user:password in NATS_URL)`
      : "";
    super(`could not connect to NATS at ${servers.join(",")}: ${reason}${hint}`, { cause: options.cause });
  }
}

/** A compare-and-set write (KV update with a revision, publish with an expected last sequence) lost to another writer. */
export function isCasConflict(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
}
