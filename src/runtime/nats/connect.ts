import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { connectionAuthOptions, mergeCredentials, splitUrlCredentials, type NatsCredentials } from "./credentials.js";
import { NatsConnectFailed } from "./errors.js";
import "./request-settle.js";
import "./write-coalesce.js";

export interface ConnectNatsOptions {
  /** Give up on the first connect after this long (ms). Default 5000. */
  timeoutMs?: number;
  /** Credentials and TLS besides those in the URLs (`nats://user:pass@host`). Default: none. */
  credentials?: NatsCredentials;
  /** Prefix of reply subjects, for a user allowed to subscribe to its own inbox only. Default: nats.js's "_INBOX". */
  inboxPrefix?: string;
}

/** Splits "nats://a:4222,nats://b:4222" (or an array) into a server list. */
export function parseServers(urls: string | string[]): string[] {
  const list = (Array.isArray(urls) ? urls : [urls]).flatMap((u) => u.split(",")).map((u) => u.trim()).filter((u) => u.length > 0);
  if (list.length === 0) throw new TypeError("connectNats: at least one NATS url is required");
  return list;
}

/**
 * Connects with the settings every node uses: a name (shown by `nats server report connections`),
 * endless reconnects (a node outlives NATS restarts; leases make that safe), no random server order
 * so tests are repeatable, and no async stack traces: otherwise every request (each JetStream publish
 * and KV put) builds two Errors up front for a stack it almost never needs — 7 % of a node's CPU at
 * 1,000 symbols (`BENCH_NODE_PROFILE`, scale bench). A failed request still says what failed.
 * Credentials in the URLs are taken out of them, so no error or log line shows them.
 */
export async function connectNats(urls: string | string[], name: string, options: ConnectNatsOptions = {}): Promise<NatsConnection> {
  const { servers, credentials: fromUrl } = splitUrlCredentials(parseServers(urls));
  const credentials = mergeCredentials(fromUrl, options.credentials ?? {});
  try {
    return await connect({
      servers,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: options.timeoutMs ?? 5000,
      noRandomize: true,
      noAsyncTraces: true,
      ...connectionAuthOptions(credentials),
      ...(options.inboxPrefix ? { inboxPrefix: options.inboxPrefix } : {}),
    });
  } catch (cause) {
    throw new NatsConnectFailed(servers, { cause, authenticating: describeCredentials(credentials) });
  }
}

/** Pure: which credentials were offered, without their secrets (for error messages). */
export function describeCredentials(c: NatsCredentials): string {
  const who = c.credsFile ? `creds file ${c.credsFile}` : c.token !== undefined ? "a token" : c.user !== undefined ? `user "${c.user}"` : "no credentials";
  return c.tls?.caFile || c.tls?.certFile ? `${who}, TLS${c.tls.certFile ? " with a client certificate" : ""}` : who;
}
