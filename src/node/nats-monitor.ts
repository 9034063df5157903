/**
 * One read of a nats-server's HTTP monitoring endpoint (`--http_port`, 8222 by convention): its
 * `/varz` (the server) and `/jsz` (its JetStream share), fetched together under one deadline. A
 * server that does not answer, answers late or answers something else is a reason, never a throw:
 * a scrape of the node must not fail because a NATS server is down.
 */

/** The parts of `/varz` read here (nats-server 2.9 and 2.10 name them alike). */
export interface Varz {
  server_id: string;
  server_name?: string;
  version?: string;
  cluster?: { name?: string };
  connections?: number;
  subscriptions?: number;
  routes?: number;
  slow_consumers?: number;
  in_msgs?: number;
  out_msgs?: number;
  in_bytes?: number;
  out_bytes?: number;
  /** Resident memory, bytes. */
  mem?: number;
  /** Percent of one core (over 100 on several). */
  cpu?: number;
  /** Empty (or absent) when JetStream is off. */
  jetstream?: {
    config?: { max_memory?: number; max_storage?: number };
    stats?: { memory?: number; storage?: number; reserved_memory?: number; reserved_storage?: number; api?: { total?: number; errors?: number } };
  };
}

/** The parts of `/jsz` read here: the streams and consumers this server holds a replica of. */
export interface Jsz {
  streams?: number;
  consumers?: number;
}

export type NatsServerRead = { ok: true; varz: Varz; jsz: Jsz | undefined } | { ok: false; reason: string };

/** The label a monitoring URL's series carry: its host:port, known even while the server is down. */
export function monitorLabel(url: string): string {
  return new URL(url).host;
}

function endpoint(base: string, path: string): URL {
  return new URL(path, base.endsWith("/") ? base : `${base}/`);
}

async function getJson(url: URL, signal: AbortSignal): Promise<unknown> {
  const res = await fetch(url, { signal, headers: { accept: "application/json" } });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${url.pathname} answered HTTP ${res.status}`);
  }
  return res.json();
}

function isVarz(x: unknown): x is Varz {
  return typeof x === "object" && x !== null && typeof (x as { server_id?: unknown }).server_id === "string";
}

function reasonOf(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") return `no answer within ${timeoutMs} ms`;
  if (e.cause?.code) return `${e.message} (${e.cause.code})`;
  return e.message;
}

/** Reads `/varz` and `/jsz` at `baseUrl`, both within `timeoutMs`; `/jsz` failing alone leaves `jsz` undefined. */
export async function readNatsServer(baseUrl: string, timeoutMs: number): Promise<NatsServerRead> {
  const signal = AbortSignal.timeout(timeoutMs);
  const [varz, jsz] = await Promise.allSettled([getJson(endpoint(baseUrl, "varz"), signal), getJson(endpoint(baseUrl, "jsz"), signal)]);
  if (varz.status === "rejected") return { ok: false, reason: reasonOf(varz.reason, timeoutMs) };
  if (!isVarz(varz.value)) return { ok: false, reason: "/varz did not answer as a nats-server (no server_id)" };
  const js = jsz.status === "fulfilled" && typeof jsz.value === "object" && jsz.value !== null ? (jsz.value as Jsz) : undefined;
  return { ok: true, varz: varz.value, jsz: js };
}
