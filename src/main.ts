/**
 * `npm start`: one platform node with the roles from configuration. Start the same program on other
 * machines with the same NATS_URL to add nodes to the cluster.
 */
import { connectNats } from "./runtime/nats/index.js";
import { ConfigError, describeConfig, loadConfig } from "./config/index.js";
import { NatsUnavailable, resolveNatsEndpoint } from "./node/nats-endpoint.js";
import { createLogger } from "./node/log.js";
import { PlatformNode } from "./node/node.js";
import { componentsFor } from "./node/roles.js";

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
  const log = createLogger({ node: config.nodeId, level: config.logLevel });
  log.info("starting node", { node: config.nodeId, roles: config.roles.join(",") });
  for (const line of describeConfig()) log.info(`config ${line}`);

  let endpoint;
  try {
    endpoint = await resolveNatsEndpoint({ configuredUrl: config.natsUrl, dataDir: config.dataDir, log: (l) => log.info(l) });
  } catch (err) {
    if (err instanceof NatsUnavailable) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
  const nc = await connectNats(endpoint.url, `tickhouse-${config.nodeId}`);
  const node = await PlatformNode.start({ config, nc, log, components: componentsFor(config) });
  log.info("node running", { partitions: config.partitions, owned: node.cluster.ownedPartitions().size });

  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info(`${signal}: shutting down`);
      resolve();
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
  });
  const report = await node.stop();
  for (const step of report.steps) log.info(`shutdown ${step.phase}: ${step.name}${step.error ? ` FAILED: ${step.error}` : ""}`, { ms: Math.round(step.ms) });
  await endpoint[Symbol.asyncDispose]();
  log.info("stopped");
  return report.steps.some((s) => s.error) ? 1 : 0;
}

process.exitCode = await main();
