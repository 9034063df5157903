import type { Config } from "../config/index.js";
import { connectNats, hasCredentials } from "../runtime/nats/index.js";
import { createLogger, type Logger } from "../runtime/log.js";
import { resolveNatsEndpoint } from "./nats-endpoint.js";
import { PlatformNode } from "./node.js";
import { componentsFor } from "./roles.js";
import { LogForwarder } from "../control/index.js";
import type { NodeComponent } from "./component.js";
import type { ShutdownReport, StepResult } from "./shutdown.js";
import type { ShutdownFigures } from "./shutdown-ledger.js";
import { formatShutdownSummary, shutdownExitCode } from "./shutdown-summary.js";

export interface RunningNode {
  node: PlatformNode;
  log: Logger;
  /**
   * Graceful shutdown in the fixed order within SHUTDOWN_TIMEOUT, then the embedded NATS server (if
   * we started one). Logs each step as it ends and one summary line; `exitCode` is 1 when a step
   * failed or was abandoned.
   */
  stop(): Promise<ShutdownReport & { figures: ShutdownFigures; exitCode: number }>;
}

function logStep(log: Logger, step: StepResult): void {
  const head = `shutdown ${step.phase}: ${step.name}`;
  const ms = Math.round(step.ms);
  if (step.abandoned) log.warn(`${head} ABANDONED: still running after its ${step.budgetMs} ms budget; going on without it`, { ms });
  else if (step.error) log.warn(`${head} FAILED: ${step.error}`, { ms });
  else log.info(head, { ms });
}

/** Resolves NATS (configured, local, or an embedded server), starts the node and its roles. */
/** The node's logger: stdout, and forwarded to `events.log.<node>` once NATS is connected. */
export function createNodeLogger(config: Config): { log: Logger; forwarder: LogForwarder } {
  const forwarder = new LogForwarder(config.nodeId);
  return { log: createLogger({ node: config.nodeId, level: config.logLevel, sink: forwarder.sink }), forwarder };
}

/** `extra`: components beyond the configured roles' (a program embedding the node adds its own). */
export async function runNode(config: Config, logging: { log: Logger; forwarder: LogForwarder } = createNodeLogger(config), extra: NodeComponent[] = []): Promise<RunningNode> {
  const { log, forwarder } = logging;
  const endpoint = await resolveNatsEndpoint({ configuredUrl: config.natsUrl, dataDir: config.dataDir, log: (l) => log.info(l) });
  // Configured credentials win; else those of the server we started (or found, with its key in DATA_DIR).
  const credentials = hasCredentials(config.natsCredentials) ? config.natsCredentials : (endpoint.credentials ?? {});
  const nc = await connectNats(endpoint.url, `tickhouse-${config.nodeId}`, { credentials, inboxPrefix: config.natsInboxPrefix });
  const node = await PlatformNode.start({ config, nc, log, components: [...componentsFor(config, { forwarder }), ...extra] });
  return {
    node,
    log,
    async stop() {
      const report = await node.stop((step) => logStep(log, step));
      const exitCode = shutdownExitCode(report);
      const summary = formatShutdownSummary(report, report.figures);
      if (exitCode === 0) log.info(summary);
      else log.warn(summary);
      await endpoint[Symbol.asyncDispose]();
      return { ...report, exitCode };
    },
  };
}

/**
 * Resolves on the first SIGINT or SIGTERM. Later ones are logged and ignored rather than left to
 * the default action: Ctrl-C on `npm start` delivers SIGINT twice (the terminal signals the whole
 * process group and npm passes its own on), and the second one killed the node in the middle of
 * its shutdown. The shutdown is bounded by SHUTDOWN_TIMEOUT (ExitBackstop), so nothing needs a
 * repeated signal to end it.
 */
export function untilSignal(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    let shuttingDown = false;
    const on = (signal: string) => {
      if (shuttingDown) {
        log.info(`${signal} again: already shutting down (within SHUTDOWN_TIMEOUT)`);
        return;
      }
      shuttingDown = true;
      log.info(`${signal}: shutting down`);
      resolve();
    };
    process.on("SIGINT", () => on("SIGINT"));
    process.on("SIGTERM", () => on("SIGTERM"));
  });
}
