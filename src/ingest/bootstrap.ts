/** The two streams ingestion writes to, created idempotently through the central bootstrap. */
import type { NatsConnection } from "@nats-io/nats-core";
import { bootstrap, platformLogSpec, STREAMS } from "../runtime/nats/index.js";

export async function ensureIngestStreams(nc: NatsConnection): Promise<void> {
  await bootstrap(nc, platformLogSpec().filter((s) => s.name === STREAMS.trades || s.name === STREAMS.dlq));
}
