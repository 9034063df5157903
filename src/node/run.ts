import type { Config } from "../config/index.js";
import { connectNats } from "../runtime/nats/index.js";
import { createLogger, type Logger } from "./log.js";
import { resolveNatsEndpoint } from "./nats-endpoint.js";
import { PlatformNode } from "./node.js";
import { componentsFor } from "./roles.js";
import { LogForwarder } from "../control/index.js";
import type { ShutdownReport } from "./shutdown.js";

export interface RunningNode {
  node: PlatformNode;
  log: Logger;
  /** Graceful shutdown in the fixed order, then the embedded NATS server (if we started one). */
  stop(): Promise<ShutdownReport>;
}

/** Resolves NATS (configured, local, or an embedded server), starts the node and its roles. */
/** The node's logger: stdout, and forwarded to `events.log.<node>` once NATS is connected. */
export function createNodeLogger(config: Config): { log: Logger; forwarder: LogForwarder } {
  const forwarder = new LogForwarder(config.nodeId);
  return { log: createLogger({ node: config.nodeId, level: config.logLevel, sink: forwarder.sink }), forwarder };
}

export async function runNode(config: Config, logging: { log: Logger; forwarder: LogForwarder } = createNodeLogger(config)): Promise<RunningNode> {
  const { log, forwarder } = logging;
  const endpoint = await resolveNatsEndpoint({ configuredUrl: config.natsUrl, dataDir: config.dataDir, log: (l) => log.info(l) });
  const nc = await connectNats(endpoint.url, `tickhouse-${config.nodeId}`);
  const node = await PlatformNode.start({ config, nc, log, components: componentsFor(config, { forwarder }) });
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
