import type { NatsConnection } from "@nats-io/nats-core";
import { bootstrap, defaultLogConfig, platformLogSpec, STREAMS } from "../runtime/nats/index.js";

/**
 * CUSTOM (the system of record for custom data), TRADES and DLQ, through the central bootstrap.
 * `custom`: the configured CUSTOM limits (config.customStream); the node bootstraps with the same,
 * so neither puts back the other's.
 */
export async function ensureCustomStreams(nc: NatsConnection, custom: { maxBytes: number; maxMsgsPerSubject: number } = defaultLogConfig.custom): Promise<void> {
  const names: string[] = [STREAMS.custom, STREAMS.trades, STREAMS.dlq];
  await bootstrap(nc, platformLogSpec({ custom: { ...defaultLogConfig.custom, ...custom } }).filter((s) => names.includes(s.name)));
}
