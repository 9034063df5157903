/**
 * `npm start`: one platform node with the roles from configuration. Start the same program on other
 * machines with the same NATS_URL to add nodes to the cluster.
 */
import { ConfigError, describeConfig, loadConfig } from "./config/index.js";
import { NatsUnavailable } from "./node/nats-endpoint.js";
import { createNodeLogger } from "./node/run.js";
import { serveUntilSignal } from "./node/serve.js";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const logging = createNodeLogger(config);
  const { log } = logging;
  log.info("starting node", { node: config.nodeId, roles: config.roles.join(",") });
  for (const line of describeConfig()) log.info(`config ${line}`);
  try {
    return await serveUntilSignal(config, logging);
  } catch (err) {
    if (err instanceof NatsUnavailable) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main();
