/** What JetStream holds while a bench waits: per stream its messages, per consumer its backlog. */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";

/** Gives up on `work` after `ms` with a note, so one stuck source does not hide the others. */
export async function within<T>(ms: number, work: Promise<T>, what: string): Promise<T | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`(${what}: no answer within ${ms / 1000} s)`), ms)))]);
  } catch (err) {
    return `(${what} failed: ${err instanceof Error ? err.message : String(err)})`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One line per stream (messages, last sequence) and per consumer: pending (not yet delivered),
 * ack-pending (delivered, unacknowledged), num_waiting (open pull requests), ack floor.
 * Consumers with nothing outstanding are summed up in one line per stream.
 */
export async function describeJetStream(nc: NatsConnection, timeoutMs = 5_000): Promise<string> {
  const result = await within(
    timeoutMs,
    (async () => {
      const jsm = await jetstreamManager(nc);
      const lines: string[] = [];
      for await (const s of jsm.streams.list()) {
        lines.push(`stream ${s.config.name}: ${s.state.messages.toLocaleString("en-US")} messages, last seq ${s.state.last_seq}, ${s.state.consumer_count} consumers`);
        let idle = 0;
        for await (const c of jsm.consumers.list(s.config.name)) {
          if (c.num_pending === 0 && c.num_ack_pending === 0) {
            idle++;
            continue;
          }
          lines.push(`  consumer ${c.name}: pending ${c.num_pending}, ack-pending ${c.num_ack_pending}, num_waiting ${c.num_waiting}, ack floor ${c.ack_floor.stream_seq}, delivered ${c.delivered.stream_seq}, redelivered ${c.num_redelivered}`);
        }
        if (idle > 0) lines.push(`  ${idle} consumer(s) with nothing pending or unacknowledged`);
      }
      return lines.join("\n") || "no streams";
    })(),
    "JetStream info",
  );
  return result;
}
