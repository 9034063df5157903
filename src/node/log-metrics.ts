/**
 * The log's state as Prometheus metrics, read from NATS when `/metrics` is scraped (nothing ticks
 * in the background): every stream's size, every durable consumer's backlog, and how far the lake
 * writers and the serving writer are behind the log. Those writers acknowledge a message only after
 * its rows are committed, so "not yet acknowledged" is "not yet in the table": the lag in messages
 * is the consumer's pending + ack pending, the lag in seconds the age of the oldest such message.
 *
 * These are cluster-wide facts: every node serving `/metrics` reports the same values, so
 * dashboards and alerts take `max` over instances.
 */
import type { ConsumerInfo, JetStreamManager } from "@nats-io/jetstream";
import { Gauge, type Registry } from "prom-client";
import { STREAMS } from "../runtime/nats/spec.js";

/** A writer whose consumer lag is a table's (or the serving database's) lag behind the log. */
export interface WatchedWriter {
  stream: string;
  durable: string;
  /** The lake table it commits to; absent for the serving writer. */
  table?: string;
}

export const WATCHED_WRITERS: readonly WatchedWriter[] = [
  { stream: STREAMS.trades, durable: "lake-bronze", table: "bronze_trades" },
  { stream: STREAMS.silver, durable: "lake-silver", table: "silver_bars" },
  { stream: STREAMS.silver, durable: "serving" },
];

export interface Lag {
  messages: number;
  /** Age of the oldest message not yet acknowledged; 0 when there is none, null when unknown. */
  seconds: number | null;
}

/**
 * A writer's lag from its consumer and the store time of the first message past its ack floor
 * (`oldestMs`, null when it could not be read).
 */
export function writerLag(consumer: Pick<ConsumerInfo, "num_pending" | "num_ack_pending">, oldestMs: number | null, nowMs: number): Lag {
  const messages = consumer.num_pending + consumer.num_ack_pending;
  if (messages === 0) return { messages, seconds: 0 };
  return { messages, seconds: oldestMs === null ? null : Math.max(0, nowMs - oldestMs) / 1000 };
}

interface Snapshot {
  streams: { name: string; messages: number; bytes: number }[];
  consumers: { stream: string; name: string; pending: number; ackPending: number }[];
  writers: (WatchedWriter & Lag)[];
}

/** How long a scrape waits for NATS before it reports the log as unreadable. */
const READ_TIMEOUT_MS = 3_000;
/** Scrapes within this window share one read of NATS (every gauge collects from one snapshot). */
const SNAPSHOT_TTL_MS = 1_000;

async function readSnapshot(jsm: JetStreamManager, writers: readonly WatchedWriter[], now: () => number): Promise<Snapshot> {
  const out: Snapshot = { streams: [], consumers: [], writers: [] };
  const infos = new Map<string, ConsumerInfo>();
  for await (const s of jsm.streams.list()) {
    const stream = s.config.name;
    out.streams.push({ name: stream, messages: s.state.messages, bytes: s.state.bytes });
    for await (const c of jsm.consumers.list(stream)) {
      // Ephemeral consumers (log browser reads, verify slices) come and go under random names: left out.
      if (!c.config.durable_name) continue;
      out.consumers.push({ stream, name: c.name, pending: c.num_pending, ackPending: c.num_ack_pending });
      infos.set(`${stream}/${c.name}`, c);
    }
  }
  for (const w of writers) {
    const c = infos.get(`${w.stream}/${w.durable}`);
    if (!c) continue; // that writer runs nowhere (no lake or serving role in the cluster)
    let oldestMs: number | null = null;
    if (c.num_pending + c.num_ack_pending > 0) {
      const m = await jsm.streams.getMessage(w.stream, { seq: c.ack_floor.stream_seq + 1 }).catch(() => null);
      oldestMs = m ? m.time.getTime() : null;
    }
    out.writers.push({ ...w, ...writerLag(c, oldestMs, now()) });
  }
  return out;
}

/** Registers the log gauges on `registry`; `jsm` is asked once per scrape (at most once a second). */
export function registerLogMetrics(registry: Registry, jsm: () => JetStreamManager | undefined, o: { writers?: readonly WatchedWriter[]; now?: () => number } = {}): void {
  const writers = o.writers ?? WATCHED_WRITERS;
  const now = o.now ?? Date.now;
  let cached: { at: number; snapshot: Promise<Snapshot | null> } | undefined;
  const snapshot = (): Promise<Snapshot | null> => {
    const m = jsm();
    if (!m) return Promise.resolve(null);
    if (cached && now() - cached.at < SNAPSHOT_TTL_MS) return cached.snapshot;
    const read = readSnapshot(m, writers, now);
    const timeout = new Promise<null>((resolve) => setTimeout(resolve, READ_TIMEOUT_MS, null).unref());
    cached = { at: now(), snapshot: Promise.race([read.catch(() => null), timeout]) };
    return cached.snapshot;
  };
  const registers = [registry];
  /** A gauge rebuilt from the snapshot on each scrape: what is gone (a deleted stream) disappears. */
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, s: Snapshot) => void) =>
    new Gauge<L>({ name, help, labelNames, registers, async collect() {
      const s = await snapshot();
      this.reset();
      if (s) fill(this, s);
    } });

  new Gauge({ name: "nats_log_readable", help: "1 when this node read the log's state from NATS for this scrape, 0 when it could not (the nats_* and lag gauges are then absent)", registers, async collect() {
    this.set((await snapshot()) ? 1 : 0);
  } });
  gauge("nats_stream_messages", "Messages stored in a stream", ["stream"], (g, s) => {
    for (const x of s.streams) g.set({ stream: x.name }, x.messages);
  });
  gauge("nats_stream_bytes", "Bytes stored in a stream", ["stream"], (g, s) => {
    for (const x of s.streams) g.set({ stream: x.name }, x.bytes);
  });
  gauge("nats_consumer_pending_messages", "Messages of a durable consumer's filter not yet delivered to it", ["stream", "consumer"], (g, s) => {
    for (const c of s.consumers) g.set({ stream: c.stream, consumer: c.name }, c.pending);
  });
  gauge("nats_consumer_ack_pending_messages", "Messages delivered to a durable consumer and not yet acknowledged", ["stream", "consumer"], (g, s) => {
    for (const c of s.consumers) g.set({ stream: c.stream, consumer: c.name }, c.ackPending);
  });
  gauge("lake_commit_lag_messages", "Log messages not yet committed to a lake table (its writer acknowledges after the commit)", ["table"], (g, s) => {
    for (const w of s.writers) if (w.table) g.set({ table: w.table }, w.messages);
  });
  gauge("lake_commit_lag_seconds", "Age of the oldest log message not yet committed to a lake table (0 when none)", ["table"], (g, s) => {
    for (const w of s.writers) if (w.table && w.seconds !== null) g.set({ table: w.table }, w.seconds);
  });
  // Labelled by its consumer, so that with no serving writer in the cluster there is no series (an
  // unlabelled gauge would read 0, "caught up").
  gauge("serving_lag_messages", "Silver bars in the log not yet written to the serving database", ["consumer"], (g, s) => {
    for (const w of s.writers) if (!w.table) g.set({ consumer: w.durable }, w.messages);
  });
  gauge("serving_lag_seconds", "Age of the oldest silver bar not yet written to the serving database (0 when none)", ["consumer"], (g, s) => {
    for (const w of s.writers) if (!w.table && w.seconds !== null) g.set({ consumer: w.durable }, w.seconds);
  });
}
