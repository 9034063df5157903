import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { NatsConnectFailed } from "./errors.js";

export interface ConnectNatsOptions {
  /** Give up on the first connect after this long (ms). Default 5000. */
  timeoutMs?: number;
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
 */
export async function connectNats(urls: string | string[], name: string, options: ConnectNatsOptions = {}): Promise<NatsConnection> {
  const servers = parseServers(urls);
  try {
    return await connect({
      servers,
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      timeout: options.timeoutMs ?? 5000,
      noRandomize: true,
      noAsyncTraces: true,
    });
  } catch (cause) {
    throw new NatsConnectFailed(servers, { cause });
  }
}
