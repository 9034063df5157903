/**
 * The command-line tools' NATS connection: `--nats-url`/`--nats` or NATS_URL, with the node's
 * credential options (NATS_USER, NATS_CREDS, NATS_TLS_*, ...); with none given, the key of the
 * embedded server in DATA_DIR when there is one (so `npm run admin` works beside a local node).
 */
import { existsSync } from "node:fs";
import type { NatsConnection } from "@nats-io/nats-core";
import { natsConnectionFromEnv } from "../config/index.js";
import { connectNats, hasCredentials, parseServers, splitUrlCredentials } from "../runtime/nats/index.js";
import { embeddedNatsSeedPath } from "../node/embedded-nats-auth.js";

/** `env` defaults to the process environment (read by src/config). */
export function connectCliNats(urlFlag: string | undefined, name: string, env?: NodeJS.ProcessEnv, dataDirFlag?: string): Promise<NatsConnection> {
  const fromEnv = natsConnectionFromEnv(env);
  const url = urlFlag ?? fromEnv.url;
  const seedFile = embeddedNatsSeedPath(dataDirFlag ?? fromEnv.dataDir);
  const inUrl = hasCredentials(splitUrlCredentials(parseServers(url)).credentials);
  const credentials = hasCredentials(fromEnv.credentials) || inUrl || !existsSync(seedFile) ? fromEnv.credentials : { ...fromEnv.credentials, credsFile: seedFile };
  return connectNats(url, name, { credentials, inboxPrefix: fromEnv.inboxPrefix });
}
