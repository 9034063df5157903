/** The command-line tools' NATS connection: `--nats-url`/`--nats` or NATS_URL, with the node's credential options (NATS_USER, NATS_CREDS, NATS_TLS_*, ...). */
import type { NatsConnection } from "@nats-io/nats-core";
import { natsConnectionFromEnv } from "../config/index.js";
import { connectNats } from "../runtime/nats/index.js";

export function connectCliNats(urlFlag: string | undefined, name: string, env: NodeJS.ProcessEnv = process.env): Promise<NatsConnection> {
  const fromEnv = natsConnectionFromEnv(env);
  return connectNats(urlFlag ?? fromEnv.url, name, { credentials: fromEnv.credentials });
}
