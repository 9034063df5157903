import type { NatsConnection } from "@nats-io/transport-node";
import type { StepDeadline } from "./shutdown.js";

/** NATS could not be drained in time (usually: the server is gone); the connection was closed instead. */
export class NatsDrainFailed extends Error {
  override readonly name = "NatsDrainFailed";
}

/**
 * Drains the connection (pending publishes and acks reach the server) within the step's time; when
 * the server is unreachable or the drain overruns, closes it instead. A connection left open while
 * it reconnects forever (the node connects with endless reconnects) is what kept a node whose NATS
 * server was gone alive after "stopped".
 */
export async function closeNats(nc: NatsConnection, deadline: Pick<StepDeadline, "timeoutMs">): Promise<void> {
  if (nc.isClosed()) return;
  // Leave time for the close itself.
  const drainMs = Math.max(1, deadline.timeoutMs - Math.min(1000, deadline.timeoutMs / 4));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    nc.drain().then(
      () => "drained" as const,
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    ),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`no drain within ${drainMs} ms`), drainMs))),
  ]);
  clearTimeout(timer);
  if (outcome === "drained") return;
  if (!nc.isClosed()) await nc.close();
  throw new NatsDrainFailed(`NATS not drained (${outcome}); connection closed instead`);
}
