/**
 * The web server of a node: one node:http server on one port with
 *   /trpc      tRPC queries over HTTP (and subscriptions over the WebSocket on the same port),
 *   /healthz   JSON health (NATS connected, database reachable),
 *   /metrics   the prom-client registry (ours plus whatever the node registered),
 *   /*         the built React app with SPA fallback.
 * /trpc (HTTP and the WebSocket upgrade) answers only callers whose Host and Origin pass the
 * RequestPolicy, with JSON bodies, within WebLimits, who may read (ReadAccess: a read token or
 * session with READ_TOKENS, else this machine only); pages without access get a sign-in form
 * (see request-policy.ts, limits.ts, read-access.ts, sign-in.ts). An admin token typed once
 * on a page becomes an admin session (/auth/session): admin mutations then take the token from
 * the session, so the browser neither stores nor resends it.
 * Shutdown order: stop accepting, tell WebSocket clients to reconnect elsewhere, end
 * subscriptions and feeds, close sockets.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname } from "node:path";
import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/nats-core";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { applyWSSHandler } from "@trpc/server/adapters/ws";
import type { Registry } from "prom-client";
import { WebSocketServer, type VerifyClientCallbackAsync } from "ws";
import type { Database } from "../../db/database.js";
import type { NodeStatus } from "../../runtime/status.js";
import { createContextFactory, type AdminGateOptions, type WebContext } from "./context.js";
import { BarWatcher } from "./feeds/bars.js";
import { StatusPoller } from "./feeds/status.js";
import { TickHub } from "./feeds/ticks.js";
import { checkHealth, trackNatsConnected } from "./health.js";
import { databaseHistory, logHistory } from "./history.js";
import { DEFAULT_WEB_LIMITS, type WebLimits } from "../../config/web-limits.js";
import { defaultRegistry, WebMetrics } from "./metrics.js";
import { FailureLimit, type FailureLimitOptions } from "./failure-limit.js";
import { ReadAccess, type ReadDecision } from "./read-access.js";
import { parseAllowedHosts, parseAllowedOrigins } from "../../config/allow-lists.js";
import { refusalBody, RequestPolicy, type Refusal } from "./request-policy.js";
import { handleSession, SESSION_PATH, signInPage } from "./sign-in.js";
import { appRouter } from "./router.js";
import { staticHandler } from "./static.js";
import type { IngestGateway } from "./gateway/index.js";
import { adminTokenFor } from "./routers/admin-gate.js";
import { uploadAudit, uploadHandler } from "./uploads/handler.js";
import type { Uploads } from "./uploads/uploads.js";

export interface WebServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port (tests). Default 3000. */
  port?: number;
  nc: NatsConnection;
  /** History from the serving tables when given; otherwise from the streams' tails. */
  db?: Database;
  statusProvider: () => Promise<NodeStatus[]>;
  /** The node's registry; a fresh one with process metrics when omitted. */
  registry?: Registry;
  /** Symbols with their own series in the symbol-labelled metrics (default 20; the rest are "other"). */
  topSymbols?: number;
  /** The built app. Default `dist/web` at the repository root. */
  staticDir?: string;
  /** How often `system.status$` polls the provider. Default 1000 ms. */
  statusIntervalMs?: number;
  /** Who may run admin mutations (MLOps rollback/train), and whose tokens open an admin session at /auth/session; without it they are refused. */
  admin?: AdminGateOptions;
  /** The ingestion gateway (`/api/ingest/...`, `/api/docs`), from `createIngestGateway` in ./gateway. */
  gateway?: IngestGateway;
  /** WEB_ALLOWED_HOSTS: Host names besides localhost, 127.0.0.1, [::1] and `host` (`name`, `name:port` or `*`). */
  allowedHosts?: readonly string[];
  /** WEB_ALLOWED_ORIGINS: page origins besides the server's own that may call the API. */
  allowedOrigins?: readonly string[];
  /** Body, batch, subscription and replay bounds; each defaults to DEFAULT_WEB_LIMITS. */
  limits?: Partial<WebLimits>;
  /** READ_TOKENS: who may read (admin tokens read too). None: this machine only (loopback callers). */
  readTokens?: readonly string[];
  /** File uploads from the Data page (`/api/uploads`, admin only); absent: not offered. */
  uploads?: Uploads;
  /** Failed token attempts per client address (sign-in, bearer, x-admin-token); defaults in DEFAULT_FAILURE_LIMIT. */
  failureLimit?: FailureLimitOptions;
}

export interface WebServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly metrics: WebMetrics;
  close(): Promise<void>;
}

export const DEFAULT_STATIC_DIR = fileURLToPath(new URL("../../../dist/web", import.meta.url));

export async function createWebServer(options: WebServerOptions): Promise<WebServer> {
  const { nc, db } = options;
  const listenHost = options.host ?? "127.0.0.1";
  // Bad allow-list entries fail here, before the server listens.
  const allowedHosts = parseAllowedHosts(options.allowedHosts ?? []);
  const allowedOrigins = parseAllowedOrigins(options.allowedOrigins ?? []);
  const limits: WebLimits = { ...DEFAULT_WEB_LIMITS, ...options.limits };
  const failures = new FailureLimit(options.failureLimit);
  const access = new ReadAccess({ readTokens: options.readTokens ?? [], adminTokens: options.admin?.tokens ?? [] });
  const registry = options.registry ?? defaultRegistry();
  const metrics = new WebMetrics(registry, options.topSymbols);
  const ctx: WebContext = {
    nc,
    ticks: new TickHub(nc, metrics),
    bars: new BarWatcher(nc, metrics),
    history: db !== undefined ? databaseHistory(db) : logHistory(nc, (kind) => metrics.malformed.inc({ subject_kind: kind })),
    status: new StatusPoller(options.statusProvider, options.statusIntervalMs ?? 1000),
    metrics,
    db,
    admin: options.admin,
    gateway: options.gateway,
    limits,
    tokenAttempts: failures,
  };
  // The feeds' subscriptions reach the NATS server before we report ready.
  await nc.flush();
  const natsConnected = trackNatsConnected(nc);
  const createContext = createContextFactory(ctx, (req) => access.sessionAdminToken(req));
  const trpc = createHTTPHandler({ router: appRouter, createContext, basePath: "/trpc/", maxBodySize: limits.maxBodyBytes, maxBatchSize: limits.maxBatch });
  // Built once the port is known (port 0 picks one); no request arrives before that.
  let policy: RequestPolicy | undefined;
  const refuse = (res: ServerResponse, url: string, r: Refusal) => res.writeHead(r.status, { "content-type": "application/json", ...retryAfterHeader(r) }).end(refusalBody(r, url));
  /**
   * The gate of /trpc and its WebSocket: Host and Origin, then the failed-attempt limit of a
   * caller presenting a token (a wrong one counts, whether meant for reading or for a command),
   * then read access.
   */
  const gate = (req: IncomingMessage, refusal: Refusal | null): Refusal | null => {
    if (refusal) return refusal;
    if (access.presentsToken(req)) {
      const from = req.socket?.remoteAddress;
      const verdict = failures.check(from);
      if (!verdict.ok) return tooManyAttempts(verdict.retryAfterSeconds);
      if (access.presentsBadToken(req)) failures.fail(from);
    }
    return readRefusal(access.decide(req));
  };
  const serveStatic = staticHandler(options.staticDir ?? DEFAULT_STATIC_DIR);
  const uploads = options.uploads && uploadHandler({ uploads: options.uploads, authorize: (req) => adminTokenFor(createContext({ req }), null, "upload"), audit: uploadAudit(nc) });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!;
    if (path === "/trpc" || path.startsWith("/trpc/")) {
      const refusal = gate(req, policy!.checkTrpc(req.method, req.headers));
      if (refusal) return void refuse(res, req.url ?? "/trpc", refusal);
      return trpc(req, res);
    }
    if (path === SESSION_PATH) return handleSession(req, res, access, failures, policy!.checkTrpc(req.method, req.headers));
    if (options.gateway?.matches(path)) return options.gateway.handle(req, res);
    if (uploads?.matches(path)) {
      const refusal = gate(req, policy!.checkCaller(req.headers) ?? (req.method === "POST" ? policy!.checkTrpc(req.method, req.headers) : null));
      if (refusal) return void res.writeHead(refusal.status, { "content-type": "application/json", ...retryAfterHeader(refusal) }).end(JSON.stringify({ error: refusal.message }));
      return uploads.handle(req, res);
    }
    if (path === "/healthz") {
      const health = await checkHealth(nc, natsConnected, db);
      res.writeHead(health.ok ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(health));
      return;
    }
    if (path === "/metrics") {
      const body = await registry.metrics();
      res.writeHead(200, { "content-type": registry.contentType }).end(body);
      return;
    }
    // The app's pages need read access (its scripts and styles hold no data).
    if ((req.method === "GET" || req.method === "HEAD") && (extname(path) === "" || extname(path) === ".html")) {
      const read = access.decide(req);
      if (!read.ok) return void res.writeHead(read.status, { "content-type": "text/html; charset=utf-8" }).end(signInPage(read.message, access.tokensRequired));
    }
    return serveStatic(req, res);
  }

  const http = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(`internal error: ${(err as Error).message}`);
    });
  });
  // A refused upgrade gets its HTTP status (403) and never becomes a WebSocket.
  const verifyClient: VerifyClientCallbackAsync = (info, done) => {
    const refusal = gate(info.req, policy!.checkCaller(info.req.headers));
    if (refusal) done(false, refusal.status, refusal.message, retryAfterHeader(refusal));
    else done(true);
  };
  const wss = new WebSocketServer({ server: http, path: "/trpc", verifyClient, maxPayload: limits.maxBodyBytes });
  // A client opens the subscriptions it starts in one tick as one batched message: over the
  // socket a batch may be as large as the connection's subscription budget.
  const wsHandler = applyWSSHandler({ wss, router: appRouter, createContext, maxBatchSize: Math.max(limits.maxBatch, limits.maxSubscriptions), keepAlive: { enabled: true, pingMs: 15_000, pongWaitMs: 5_000 } });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 3000, listenHost, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  policy = new RequestPolicy({ listenHost, port: address.port, allowedHosts, allowedOrigins });
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    closing ??= (async () => {
      wsHandler.broadcastReconnectNotification();
      ctx.status.close();
      await Promise.all([ctx.ticks.close(), ctx.bars.close()]);
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    })();
    return closing;
  }

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    metrics,
    close,
    [Symbol.asyncDispose]: close,
  };
}

export function tooManyAttempts(retryAfterSeconds: number): Refusal {
  return { status: 429, code: "TOO_MANY_REQUESTS", message: `too many failed token attempts from this address: try again in ${retryAfterSeconds} s`, retryAfterSeconds };
}

function retryAfterHeader(r: Refusal): Record<string, string> {
  return r.status === 429 ? { "retry-after": String(r.retryAfterSeconds) } : {};
}

function readRefusal(d: ReadDecision): Refusal | null {
  return d.ok ? null : { status: d.status, code: d.status === 401 ? "UNAUTHORIZED" : "FORBIDDEN", message: d.message };
}
