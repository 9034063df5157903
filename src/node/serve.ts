import type { Config } from "../config/index.js";
import type { LogForwarder } from "../control/index.js";
import type { NodeComponent } from "./component.js";
import { ExitBackstop } from "./exit-backstop.js";
import type { Logger } from "../runtime/log.js";
import { runNode, untilSignal } from "./run.js";

/**
 * What `npm start` does once configured: run the node until SIGINT/SIGTERM, shut it down within
 * SHUTDOWN_TIMEOUT, and return the exit code (0 clean, 1 when a step failed or was abandoned).
 * `extra` components run beside the configured roles'.
 */
export async function serveUntilSignal(config: Config, logging: { log: Logger; forwarder: LogForwarder }, extra: NodeComponent[] = []): Promise<number> {
  const { log } = logging;
  // Listening from before the start: a signal while the node starts (a service manager stopping it
  // early) waits for the start to end and then shuts down, instead of Node's default kill. The
  // shutdown bound counts from the signal, so a start that hangs is bounded too.
  const signalled = untilSignal(log).then(() => new ExitBackstop(log, config.shutdownTimeoutMs));
  const running = await runNode(config, logging, extra);
  log.info("node running", { partitions: config.partitions });
  const backstop = await signalled;
  const { exitCode } = await running.stop();
  log.info("stopped", { exitCode });
  backstop.finished();
  return exitCode;
}
