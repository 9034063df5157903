import type { NatsConnection } from "@nats-io/nats-core";
import { bootstrap, platformLogSpec, STREAMS } from "../runtime/nats/index.js";

/** CUSTOM (the system of record for custom data), TRADES and DLQ, through the central bootstrap. */
export async function ensureCustomStreams(nc: NatsConnection): Promise<void> {
  const names: string[] = [STREAMS.custom, STREAMS.trades, STREAMS.dlq];
  await bootstrap(nc, platformLogSpec().filter((s) => names.includes(s.name)));
}
