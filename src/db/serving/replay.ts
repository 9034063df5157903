/**
 * Replay of the serving tables from a log position: the serving consumers are recreated to deliver
 * from a stream sequence or a time, and the writer upserts everything again (keyed by symbol and
 * window end or open time, so the tables end up exactly as the log says, with no duplicate).
 */
import { AckPolicy, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { SERVING_STREAMS, type ServingSource } from "./consumer.js";

export type ReplayFrom = { seq: number } | { time: Date };

export class InvalidReplayPosition extends Error {
  override readonly name = "InvalidReplayPosition";
}

/** `--from-seq 1200`, `--from-time 2026-11-28T08:00:00Z` or `--from-time 2h` (that long ago). */
export function parseReplayFrom(args: readonly string[], now: number): ReplayFrom {
  const at = (flag: string) => {
    const i = args.indexOf(flag);
    return i < 0 ? undefined : args[i + 1];
  };
  const seq = at("--from-seq");
  const time = at("--from-time");
  if ((seq === undefined) === (time === undefined)) throw new InvalidReplayPosition("give exactly one of --from-seq N or --from-time <ISO time | 30m | 2h | 1d>");
  if (seq !== undefined) {
    const n = Number(seq);
    if (!Number.isInteger(n) || n < 1) throw new InvalidReplayPosition(`--from-seq takes a stream sequence ≥ 1, got "${seq}"`);
    return { seq: n };
  }
  const ago = /^(\d+)(m|h|d)$/.exec(time!);
  if (ago) return { time: new Date(now - Number(ago[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as "m" | "h" | "d"]) };
  const date = new Date(time!);
  if (Number.isNaN(date.getTime())) throw new InvalidReplayPosition(`--from-time takes an ISO time or a duration like 2h, got "${time}"`);
  return { time: date };
}

/** Deletes and recreates the durable serving consumer of each source at the replay position. */
export async function resetServingConsumers(jsm: JetStreamManager, from: ReplayFrom, options: { durable?: string; ackWaitMs?: number; maxAckPending?: number; sources?: ServingSource[] } = {}): Promise<{ source: ServingSource; pending: number }[]> {
  const durable = options.durable ?? "serving";
  const out: { source: ServingSource; pending: number }[] = [];
  for (const source of options.sources ?? (["silver", "candles"] as ServingSource[])) {
    const { stream } = SERVING_STREAMS[source];
    await jsm.consumers.delete(stream, durable).catch(() => false);
    const position = "seq" in from ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from.seq } : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.time.toISOString() };
    const info = await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, ack_wait: nanos(options.ackWaitMs ?? 30_000), max_ack_pending: options.maxAckPending ?? 2000, ...position });
    out.push({ source, pending: info.num_pending });
  }
  return out;
}
