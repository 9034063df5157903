import type { Config } from "../config/index.js";
import { connectNats } from "../runtime/nats/index.js";
import { createLogger, type Logger } from "./log.js";
import { resolveNatsEndpoint } from "./nats-endpoint.js";
import { PlatformNode } from "./node.js";
import { componentsFor } from "./roles.js";
import type { ShutdownReport } from "./shutdown.js";

export interface RunningNode {
  node: PlatformNode;
  log: Logger;
  /** Graceful shutdown in the fixed order, then the embedded NATS server (if we started one). */
  stop(): Promise<ShutdownReport>;
}

/** Resolves NATS (configured, local, or an embedded server), starts the node and its roles. */
export async function runNode(config: Config, options: { log?: Logger } = {}): Promise<RunningNode> {
  const log = options.log ?? createLogger({ node: config.nodeId, level: config.logLevel });
  const endpoint = await resolveNatsEndpoint({ configuredUrl: config.natsUrl, dataDir: config.dataDir, log: (l) => log.info(l) });
  const nc = await connectNats(endpoint.url, `tickhouse-${config.nodeId}`);
  const node = await PlatformNode.start({ config, nc, log, components: componentsFor(config) });
  return {
    node,
    log,
    async stop() {
      const report = await node.stop();
      for (const step of report.steps) log.info(`shutdown ${step.phase}: ${step.name}${step.error ? ` FAILED: ${step.error}` : ""}`, { ms: Math.round(step.ms) });
      await endpoint[Symbol.asyncDispose]();
      return report;
    },
  };
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      log.info(`${signal}: shutting down`);
      resolve();
    };
    process.once("SIGINT", () => on("SIGINT"));
    process.once("SIGTERM", () => on("SIGTERM"));
  });
}
