/**
 * The ingestion gateway: `POST /api/ingest/<source>[/<data_type>]` and `GET /api/docs`.
 * Each accepted record is published (awaited) to `ingest.<source>.<data_type>` on the CUSTOM
 * stream, the system of record; the answer carries the stream sequences. Validation is all or
 * nothing: one invalid record → 400 naming it and its field, nothing published.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NatsConnection } from "@nats-io/nats-core";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { jetstream, type JetStreamClient, type PubAck } from "@nats-io/jetstream";
import type { TimeBounds } from "../../../config/time-bounds.js";
import { burstFor, SourceQuotas, type QuotaOptions } from "../../../custom/quotas.js";
import { normalizeDataType, normalizeSource } from "../../../custom/names.js";
import { trackNatsConnected } from "../health.js";
import { BodyTooLarge, MalformedBody, isNdjson, parseNdjsonItems, parseRecords, readBody, type ParsedItem } from "./body.js";
import { admitRecords } from "./admit.js";
import { parseApiKeys, type ApiKey } from "../../../config/api-keys.js";
import { authorize, bootstrapKeyId, type Authorization } from "./keys.js";
import type { ApiKeyStore } from "./key-store.js";
import { KeyUsage } from "./key-usage.js";
import { RecentErrors, type GatewayError } from "./recent-errors.js";
import { gatewayMetrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { packMessages } from "../../../custom/pack.js";
import type { Registry } from "prom-client";

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_MAX_RECORDS = 10_000;

export interface GatewayOptions {
  nc: NatsConnection;
  /** `source:key,...` / `*:key` text (INGEST_API_KEYS) or parsed keys: the bootstrap keys, always accepted. */
  apiKeys: string | readonly ApiKey[];
  /** Runtime keys (PostgreSQL, managed on the Connections page). Neither these nor apiKeys: every request is 401. */
  keyStore?: ApiKeyStore;
  /** INGEST_MAX_BODY. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Records per request. Default 10,000. */
  maxRecords?: number;
  /** PubAck timeout (ms); a slower log is answered with 503. Default 5000. */
  publishTimeoutMs?: number;
  /** Retry-After seconds on 503. Default 1. */
  retryAfterSeconds?: number;
  now?: () => number;
  /** Records whose time is outside these bounds get 400 `timestamp_out_of_range`. Default DEFAULT_TIME_BOUNDS (src/config/time-bounds.ts). */
  timeBounds?: TimeBounds;
  /**
   * Per-source quotas: `recordsPerSecond` (0: none, the default here; INGEST_RATE_LIMIT on a node)
   * → 429 `rate_limited` + Retry-After; `maxDataTypes` / `maxInstruments` (defaults 100 / 1000) →
   * 429 `quota_exceeded`. The bucket holds at least one full request (`maxRecords`).
   */
  quotas?: Partial<QuotaOptions>;
  /** The node's prom-client registry: `ingest_gateway_requests_total{status}`, `ingest_gateway_records_total`, `ingest_gateway_request_seconds{status}`. */
  registry?: Registry;
}

export interface GatewayFigures {
  requests: number;
  accepted: number;
  rejected: Record<number, number>;
}

export interface IngestGateway {
  /** Paths this handler answers: `/api/ingest/...` and `/api/docs`. */
  matches(path: string): boolean;
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  figures(): GatewayFigures;
  /** What the Connections page shows: the keys (bootstrap and runtime), their use and the errors answered per source. */
  readonly connections: GatewayConnections;
}

export interface GatewayConnections {
  bootstrapKeys: readonly { keyId: string; source: string }[];
  /** Use of the bootstrap keys on this node (runtime keys: keyStore.usage). */
  bootstrapUsage: KeyUsage;
  keyStore: ApiKeyStore | undefined;
  errors: RecentErrors;
  now(): number;
}

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

export function createIngestGateway(options: GatewayOptions): IngestGateway {
  const keys = typeof options.apiKeys === "string" ? parseApiKeys(options.apiKeys) : options.apiKeys;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const retryAfter = String(options.retryAfterSeconds ?? 1);
  const now = options.now ?? Date.now;
  const js: JetStreamClient = jetstream(options.nc, { timeout: options.publishTimeoutMs ?? 5000 });
  const connected = trackNatsConnected(options.nc);
  const figures: GatewayFigures = { requests: 0, accepted: 0, rejected: {} };
  const metrics = options.registry ? gatewayMetrics(options.registry) : undefined;
  const rate = options.quotas?.recordsPerSecond ?? 0;
  const quotas = new SourceQuotas({ ...options.quotas, burst: Math.max(options.quotas?.burst ?? 0, burstFor(rate, maxRecords)) });
  const bootstrapUsage = new KeyUsage();
  const errors = new RecentErrors();
  const unavailable = (message: string, extra: Record<string, unknown> = {}): Reply => ({ status: 503, body: { error: "unavailable", message, ...extra }, headers: { "retry-after": retryAfter } });

  /** Bootstrap keys first (no I/O), then the runtime keys; `keyId` names the key in usage counts. */
  async function authorizeKey(presented: string | undefined, source: string): Promise<Authorization & { keyId?: string }> {
    const auth = authorize(keys, presented, source);
    if (auth.kind === "ok") return { ...auth, keyId: bootstrapKeyId(keys, presented!, source) };
    if (auth.kind === "unknown-key" && presented && options.keyStore) return options.keyStore.authorize(presented, source);
    return auth;
  }

  function countUse(keyId: string | undefined, records: number): void {
    if (keyId === undefined) return;
    if (keyId.startsWith("INGEST_API_KEYS")) bootstrapUsage.record(keyId, records, now());
    else options.keyStore?.usage.record(keyId, records, now());
  }

  async function ingest(req: IncomingMessage, source: string, pathType: string | undefined): Promise<Reply & { keyId?: string }> {
    const auth = await authorizeKey(apiKeyOf(req), source);
    if (auth.kind === "ok") {
      const reply = await admitted(req, source, pathType);
      countUse(auth.keyId, reply.status === 202 || reply.status === 207 ? (reply.body as { accepted: number }).accepted : 0);
      return { ...reply, keyId: auth.keyId! };
    }
    if (auth.kind === "unknown-key") return { status: 401, body: { error: "unauthorized", message: "missing or unknown API key (header X-API-Key or Authorization: Bearer)" }, headers: { "www-authenticate": 'ApiKey header="X-API-Key"' } };
    return { status: 403, body: { error: "forbidden", message: `this key may write to ${auth.allowed.join(", ")}, not ${source}` }, ...(auth.keyId ? { keyId: auth.keyId } : {}) };
  }

  async function admitted(req: IncomingMessage, source: string, pathType: string | undefined): Promise<Reply> {
    const partial = /[?&]partial=(1|true)(&|$)/.test(req.url ?? "");
    let items: ParsedItem[];
    try {
      const body = await readBody(req, maxBody);
      const ndjson = isNdjson(req.headers["content-type"]);
      items = partial && ndjson ? parseNdjsonItems(body) : parseRecords(body, ndjson).map((value) => ({ ok: true, value }));
    } catch (err) {
      if (err instanceof BodyTooLarge) return { status: 413, body: { error: "too_large", message: `body exceeds INGEST_MAX_BODY (${maxBody} bytes)` }, headers: { connection: "close" } };
      if (err instanceof MalformedBody) return { status: 400, body: { error: err.error, field: "body", message: err.message } };
      throw err;
    }
    if (items.length === 0) return { status: 400, body: { error: "invalid_body", field: "body", message: "no records" } };
    if (items.length > maxRecords) return { status: 413, body: { error: "too_large", message: `${items.length} records; at most ${maxRecords} per request` } };
    const receivedAt = now();
    const admitted = admitRecords(items, { source, pathType, receivedAt, timeBounds: options.timeBounds, quotas, strict: !partial });
    const { envelopes, rejected } = admitted;
    const first = rejected[0];
    if (first && !partial) return { status: first.status, body: { error: first.error, index: first.index, field: first.field, message: first.message } };
    if (first && envelopes.length === 0) return { status: first.status, body: { error: first.error, message: "no record was accepted", rejected } };
    const paced = quotas.takeRate(source, envelopes.length, receivedAt);
    if (paced.kind === "rate_limited") return { status: 429, body: { error: paced.kind, message: paced.message }, headers: { "retry-after": String(Math.max(1, Math.ceil(paced.retryAfterMs / 1000))) } };
    if (!connected()) return unavailable("the log (NATS) is not connected");
    const h = natsHeaders();
    h.set("Ingest-Time", String(receivedAt));
    const idempotencyKey = headerOf(req, "idempotency-key");
    const messages = packMessages(envelopes);
    const results = await Promise.allSettled(
      messages.map((m, i) => js.publish(m.subject, m.data, { headers: h, ...(idempotencyKey ? { msgID: `${source}:${idempotencyKey}:${i}` } : {}) })),
    );
    // Each record's sequence is that of the log message holding it (records of one type travel together).
    const seqs: (number | null)[] = new Array(items.length).fill(null);
    results.forEach((r, i) => {
      if (r.status === "fulfilled") for (const index of messages[i]!.indices) seqs[admitted.origin[index]!] = r.value.seq;
    });
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed >= 0) {
      const reason = (results[failed] as PromiseRejectedResult).reason as Error;
      return unavailable(`the log did not take the records: ${reason.message}`, { published: seqs });
    }
    const acks = results.map((r) => (r as PromiseFulfilledResult<PubAck>).value);
    figures.accepted += envelopes.length;
    const stored = { accepted: envelopes.length, sequences: seqs, messages: acks.length, duplicates: acks.filter((a) => a.duplicate).length, stream: acks[0]!.stream };
    // Partial: 207 lists the refused records (their sequences are null); the others are stored.
    return rejected.length > 0 ? { status: 207, body: { ...stored, rejected } } : { status: 202, body: stored };
  }

  async function route(req: IncomingMessage, path: string): Promise<Reply & { source?: string; keyId?: string }> {
    if (path === "/api/docs" || path === "/api/docs/openapi.json") {
      if (req.method !== "GET" && req.method !== "HEAD") return { status: 405, body: { error: "method_not_allowed" }, headers: { allow: "GET" } };
      return { status: 200, body: openApiDocument({ maxBodyBytes: maxBody, maxRecords }) };
    }
    const parts = path.slice("/api/ingest/".length).split("/").filter(Boolean);
    if (parts.length < 1 || parts.length > 2) return { status: 404, body: { error: "not_found", message: "POST /api/ingest/<source> or /api/ingest/<source>/<data_type>" } };
    if (req.method !== "POST") return { status: 405, body: { error: "method_not_allowed" }, headers: { allow: "POST" } };
    const source = normalizeSource(decodeURIComponent(parts[0]!));
    if (!source) return { status: 400, body: { error: "invalid_source", field: "source", message: "source must be 1-32 characters of a-z, 0-9 and _" } };
    let pathType: string | undefined;
    if (parts[1] !== undefined) {
      pathType = normalizeDataType(decodeURIComponent(parts[1]));
      if (!pathType) return { status: 400, body: { error: "invalid_data_type", field: "data_type", message: "data_type must be 1-32 characters of a-z, 0-9 and _" } };
    }
    return { ...(await ingest(req, source, pathType)), source };
  }

  return {
    matches: (path) => path === "/api/docs" || path === "/api/docs/openapi.json" || path.startsWith("/api/ingest/"),
    async handle(req, res) {
      figures.requests++;
      const started = performance.now();
      const path = (req.url ?? "/").split("?")[0]!;
      let reply: Reply & { source?: string; keyId?: string };
      try {
        reply = await route(req, path);
      } catch (err) {
        reply = { status: 500, body: { error: "internal", message: (err as Error).message } };
      }
      if (reply.status >= 400) figures.rejected[reply.status] = (figures.rejected[reply.status] ?? 0) + 1;
      if (reply.source !== undefined && (reply.status >= 400 || reply.status === 207)) errors.add(reply.source, errorOf(reply, now()));
      if (metrics) {
        const status = String(reply.status);
        metrics.requests.inc({ status });
        metrics.seconds.observe({ status }, (performance.now() - started) / 1000);
        if (reply.status === 202 || reply.status === 207) metrics.records.inc((reply.body as { accepted: number }).accepted);
      }
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers }).end(JSON.stringify(reply.body));
    },
    figures: () => ({ ...figures, rejected: { ...figures.rejected } }),
    connections: { bootstrapKeys: keys.map((k, i) => ({ keyId: `INGEST_API_KEYS #${i + 1}`, source: k.source })), bootstrapUsage, keyStore: options.keyStore, errors, now },
  };
}

function errorOf(reply: Reply & { keyId?: string }, at: number): GatewayError {
  const body = reply.body as { error?: string; message?: string; rejected?: unknown[] };
  const message = reply.status === 207 ? `${body.rejected?.length ?? 0} record(s) refused` : String(body.message ?? "");
  return { at, status: reply.status, error: String(body.error ?? (reply.status === 207 ? "partial" : "error")), message: message.slice(0, 500), keyId: reply.keyId ?? null };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function apiKeyOf(req: IncomingMessage): string | undefined {
  const key = headerOf(req, "x-api-key");
  if (key) return key.trim();
  const auth = headerOf(req, "authorization");
  const m = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null;
  return m ? m[1]!.trim() : undefined;
}
