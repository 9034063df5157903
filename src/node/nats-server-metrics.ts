/**
 * The NATS servers' own health as Prometheus metrics, read from their monitoring endpoints
 * (NATS_MONITOR_URL) when `/metrics` is scraped: connections, slow consumers, messages and bytes
 * in and out, memory, CPU, JetStream storage used / reserved / allowed, cluster routes. It stands
 * in for prometheus-nats-exporter (not packaged for Debian, so not installable here), with
 * Prometheus-style names of its own.
 *
 * Every series carries `server` = the monitoring URL's host:port (bounded by the configuration,
 * and stable while the server is down). `nats_server_up` is 0 for a server that did not answer
 * in time; its other series are then absent and the scrape succeeds. Every node may read every
 * server (compose does), so dashboards and alerts take `max by (server)` over instances.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import { monitorLabel, readNatsServer, type Jsz, type NatsServerRead, type Varz } from "./nats-monitor.js";

/** How long a scrape waits for a server's monitoring endpoint (well under Prometheus' 10 s scrape timeout). */
export const NATS_MONITOR_TIMEOUT_MS = 2_000;
/** Scrapes within this window after a read share it (every gauge collects from one read per server). */
const SNAPSHOT_TTL_MS = 1_000;

type Figure = (varz: Varz, jsz: Jsz | undefined) => number | undefined;

/** Figures the servers count up from their start (a restart reads as a counter reset). */
const COUNTERS: readonly [name: string, help: string, read: Figure][] = [
  ["nats_server_slow_consumers_total", "Clients the server found too slow to read what it sent them (it closes their connection)", (v) => v.slow_consumers],
  ["nats_server_in_msgs_total", "Messages the server received (from clients, routes and leaf nodes)", (v) => v.in_msgs],
  ["nats_server_out_msgs_total", "Messages the server sent", (v) => v.out_msgs],
  ["nats_server_in_bytes_total", "Payload bytes the server received", (v) => v.in_bytes],
  ["nats_server_out_bytes_total", "Payload bytes the server sent", (v) => v.out_bytes],
  ["nats_server_jetstream_api_requests_total", "JetStream API requests the server handled", (v) => v.jetstream?.stats?.api?.total],
  ["nats_server_jetstream_api_errors_total", "JetStream API requests that ended in an error", (v) => v.jetstream?.stats?.api?.errors],
];

const GAUGES: readonly [name: string, help: string, read: Figure][] = [
  ["nats_server_connections", "Client connections open", (v) => v.connections],
  ["nats_server_subscriptions", "Subscriptions registered on the server", (v) => v.subscriptions],
  ["nats_server_routes", "Route connections to the other servers of its cluster (0 for a single server)", (v) => v.routes],
  ["nats_server_mem_bytes", "The server process's resident memory", (v) => v.mem],
  ["nats_server_cpu_percent", "The server process's CPU use, percent of one core", (v) => v.cpu],
  ["nats_server_jetstream_store_bytes", "JetStream file storage in use on the server", (v) => v.jetstream?.stats?.storage],
  ["nats_server_jetstream_store_reserved_bytes", "JetStream file storage reserved by stream limits (max_bytes) on the server", (v) => v.jetstream?.stats?.reserved_storage],
  ["nats_server_jetstream_store_max_bytes", "JetStream file storage the server may use (its max_file_store)", (v) => v.jetstream?.config?.max_storage],
  ["nats_server_jetstream_memory_bytes", "JetStream memory storage in use on the server", (v) => v.jetstream?.stats?.memory],
  ["nats_server_jetstream_memory_reserved_bytes", "JetStream memory storage reserved by stream limits on the server", (v) => v.jetstream?.stats?.reserved_memory],
  ["nats_server_jetstream_memory_max_bytes", "JetStream memory storage the server may use (its max_memory_store)", (v) => v.jetstream?.config?.max_memory],
  ["nats_server_jetstream_streams", "Streams the server holds a replica of", (_, j) => j?.streams],
  ["nats_server_jetstream_consumers", "Consumers the server holds a replica of", (_, j) => j?.consumers],
];

/** Every metric name registered here (for documentation and tests). */
export const NATS_SERVER_METRICS: readonly string[] = ["nats_server_up", "nats_server_info", ...COUNTERS.map(([n]) => n), ...GAUGES.map(([n]) => n)];

interface ServerRead {
  url: string;
  server: string;
  read: NatsServerRead;
}

export interface NatsServerMonitorOptions {
  /** Per scrape, at most this long for every server (read in parallel). */
  timeoutMs?: number;
  /** Called when a server stops or starts answering (the first read counts as a change), e.g. to log it once. */
  onChange?: (change: { server: string; url: string; up: boolean; reason?: string }) => void;
  /** The clock that ages the read shared by close scrapes (default Date.now; tests move it). */
  now?: () => number;
}

/** A finite, non-negative figure, or nothing (a field a server version does not report gets no series). */
function figure(read: Figure, r: NatsServerRead): number | undefined {
  if (!r.ok) return undefined;
  const x = read(r.varz, r.jsz);
  return typeof x === "number" && Number.isFinite(x) && x >= 0 ? x : undefined;
}

/**
 * Registers the nats_server_* metrics on `registry`; `urls()` names the servers to read (none: no
 * series). Each scrape reads every server once, in parallel, within `timeoutMs`.
 */
export function registerNatsServerMetrics(registry: Registry, urls: () => readonly string[], o: NatsServerMonitorOptions = {}): void {
  const timeoutMs = o.timeoutMs ?? NATS_MONITOR_TIMEOUT_MS;
  const now = o.now ?? Date.now;
  const upBefore = new Map<string, boolean>();
  let cached: { settledAt: number | undefined; reads: Promise<ServerRead[]> } | undefined;

  const readAll = async (): Promise<ServerRead[]> => {
    const reads = await Promise.all(urls().map(async (url): Promise<ServerRead> => ({ url, server: monitorLabel(url), read: await readNatsServer(url, timeoutMs) })));
    for (const { url, server, read } of reads) {
      if (upBefore.get(url) === read.ok) continue;
      upBefore.set(url, read.ok);
      try {
        o.onChange?.({ server, url, up: read.ok, ...(read.ok ? {} : { reason: read.reason }) });
      } catch {
        // A failing listener (a log sink) must not fail the scrape.
      }
    }
    return reads;
  };
  // Expires after the read settles, not after it starts: a slow read is not started again by the
  // gauges still waiting on it.
  const snapshot = (): Promise<ServerRead[]> => {
    if (cached && (cached.settledAt === undefined || now() - cached.settledAt < SNAPSHOT_TTL_MS)) return cached.reads;
    const entry: NonNullable<typeof cached> = { settledAt: undefined, reads: readAll() };
    const settled = () => {
      entry.settledAt = now();
    };
    entry.reads.then(settled, settled);
    cached = entry;
    return entry.reads;
  };

  const registers = [registry];
  const labelNames = ["server"] as const;
  new Gauge({ name: "nats_server_up", help: "1 when the NATS server's monitoring endpoint answered this scrape in time, 0 when not (its other nats_server_* series are then absent)", labelNames, registers, async collect() {
    const reads = await snapshot();
    this.reset();
    for (const { server, read } of reads) this.set({ server }, read.ok ? 1 : 0);
  } });
  new Gauge({ name: "nats_server_info", help: "1, labelled with the server's name, version and cluster", labelNames: ["server", "server_name", "version", "cluster"], registers, async collect() {
    const reads = await snapshot();
    this.reset();
    for (const { server, read } of reads) {
      if (read.ok) this.set({ server, server_name: read.varz.server_name ?? read.varz.server_id, version: read.varz.version ?? "", cluster: read.varz.cluster?.name ?? "" }, 1);
    }
  } });
  /** This scrape's value of `read` per server that answered and reported it. */
  const values = async (read: Figure) => (await snapshot()).flatMap(({ server, read: r }) => {
    const x = figure(read, r);
    return x === undefined ? [] : [{ labels: { server }, x }];
  });
  for (const [name, help, read] of COUNTERS) {
    new Counter({ name, help, labelNames, registers, async collect() {
      const xs = await values(read);
      this.reset();
      for (const { labels, x } of xs) this.inc(labels, x);
    } });
  }
  for (const [name, help, read] of GAUGES) {
    new Gauge({ name, help, labelNames, registers, async collect() {
      const xs = await values(read);
      this.reset();
      for (const { labels, x } of xs) this.set(labels, x);
    } });
  }
}
