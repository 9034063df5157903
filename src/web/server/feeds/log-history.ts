/**
 * The last N messages of one subject of a JetStream stream, for charts when no database is
 * configured. Finds the subject's last message, then reads with an ordered consumer that
 * starts a little before the time N messages ago (the subject's cadence is known: 1m candles,
 * 10 s bars); if that window turns out short, reads the subject from its start instead.
 */
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { MarketDataUnavailable } from "../errors.js";

export interface LogMessage<T> {
  seq: number;
  value: T;
}

export interface ReadLastOptions<T> {
  stream: string;
  subject: string;
  limit: number;
  /** Typical spacing of the subject's messages (ms), to pick the start time. */
  cadenceMs: number;
  decode: (subject: string, data: Uint8Array) => T;
  /** Called for a message that does not decode (it is skipped). */
  onMalformed?: (err: unknown) => void;
}

/** Keeps the newest `limit` items pushed. */
function ring<T>(limit: number) {
  const items: T[] = [];
  return {
    push(v: T) {
      items.push(v);
      if (items.length > limit) items.shift();
    },
    items,
  };
}

async function readFrom<T>(js: JetStreamClient, o: ReadLastOptions<T>, lastSeq: number, start: { time: Date } | null): Promise<LogMessage<T>[]> {
  const consumer = await js.consumers.get(o.stream, {
    filter_subjects: o.subject,
    ...(start === null ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time.toISOString() }),
  });
  const out = ring<LogMessage<T>>(o.limit);
  for (;;) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
    let got = 0;
    let done = false;
    for await (const m of batch) {
      got++;
      try {
        out.push({ seq: m.seq, value: o.decode(m.subject, m.data) });
      } catch (err) {
        o.onMalformed?.(err);
      }
      // A pull waits for its whole batch until it expires: stop as soon as the tail is reached.
      if (m.seq >= lastSeq || m.info.pending === 0) {
        done = true;
        batch.stop();
        break;
      }
    }
    if (done || got === 0) break;
  }
  await consumer.delete().catch(() => undefined);
  return out.items;
}

export async function readLastMessages<T>(nc: NatsConnection, o: ReadLastOptions<T>): Promise<LogMessage<T>[]> {
  if (o.limit <= 0) return [];
  try {
    const jsm = await jetstreamManager(nc);
    const last = await jsm.streams.getMessage(o.stream, { last_by_subj: o.subject });
    if (last === null) return [];
    const js = jetstream(nc);
    const since = new Date(last.time.getTime() - o.limit * o.cadenceMs * 1.5 - 5_000);
    const recent = await readFrom(js, o, last.seq, { time: since });
    if (recent.length >= o.limit) return recent;
    return await readFrom(js, o, last.seq, null);
  } catch (err) {
    if (isNoMessage(err)) return [];
    throw new MarketDataUnavailable(`reading ${o.subject} from stream ${o.stream} failed: ${(err as Error).message}`, { cause: err });
  }
}

function isNoMessage(err: unknown): boolean {
  const text = String((err as Error)?.message ?? err);
  return /no message found/i.test(text);
}
