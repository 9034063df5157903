/** A private nats-server with the platform's CUSTOM/TRADES/DLQ streams and the web server with the gateway mounted. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { Registry } from "prom-client";
import { ensureCustomStreams } from "../../src/custom/index.js";
import { createWebServer, type WebServer } from "../../src/web/index.js";
import { createIngestGateway, type GatewayOptions, type IngestGateway } from "../../src/web/server/gateway/index.js";
import { startNatsServer, type NatsServerHandle } from "../helpers/nats-server.js";
import { jetstreamManager } from "@nats-io/jetstream";
import { CustomRouter, type CustomRouterOptions } from "../../src/custom/index.js";
import type { Lake } from "../../src/lake/index.js";
import { TradeLogPublisher, decodeTradeLogTrades, silentLogger } from "../../src/ingest/index.js";
import type { Trade } from "../../src/market/trade.js";
import { waitFor } from "../helpers/wait.js";

/** One query in a throwaway in-memory DuckDB (an independent reader of what we wrote). */
export { duckQuery } from "../lake/fixtures/duckdb.js";

export const ACME_KEY = "acme-key-0001";
export const ADMIN_KEY = "admin-key-0001";

export interface Stack extends AsyncDisposable {
  nats: NatsServerHandle;
  /** The web server's connection (the gateway publishes through it). */
  nc: NatsConnection;
  /** A second connection for the test's own checks. */
  probe: NatsConnection;
  server: WebServer;
  gateway: IngestGateway;
  dir: string;
  post(path: string, body: string | unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function startStack(options: Partial<Omit<GatewayOptions, "nc">> & { streams?: boolean } = {}): Promise<Stack> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const probe = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  if (options.streams !== false) await ensureCustomStreams(probe);
  const dir = mkdtempSync(join(tmpdir(), "custom-test-"));
  const registry = new Registry();
  const gateway = createIngestGateway({ apiKeys: `acme:${ACME_KEY},*:${ADMIN_KEY}`, publishTimeoutMs: 2000, registry, ...options, nc });
  const server = await createWebServer({ port: 0, nc, statusProvider: async () => [], staticDir: dir, gateway, registry });
  return {
    nats,
    nc,
    probe,
    server,
    gateway,
    dir,
    async post(path, body, headers = {}) {
      const res = await fetch(server.url + path, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": ACME_KEY, ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null), headers: res.headers };
    },
    async [Symbol.asyncDispose]() {
      await server.close();
      await nc.close().catch(() => undefined);
      await probe.close().catch(() => undefined);
      await nats[Symbol.asyncDispose]();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A router (commits every 100 ms) with its own trade publisher, on the stack's connection. */
export async function startRouter(s: Stack, lake: Lake, options: Partial<CustomRouterOptions> = {}) {
  const publisher = await TradeLogPublisher.start(s.nc, { spoolDir: join(s.dir, "spool"), log: silentLogger, lingerMs: 5 });
  const router = await CustomRouter.start(s.nc, { lake, publisher, maxAgeMs: 100, ...options });
  return {
    router,
    publisher,
    async [Symbol.asyncDispose]() {
      await router.close();
      await publisher.close();
    },
  };
}

/** Waits until the router has acknowledged everything CUSTOM holds now. */
export async function routedAll(s: Stack, router: CustomRouter): Promise<void> {
  const last = (await (await jetstreamManager(s.probe)).streams.info("CUSTOM")).state.last_seq;
  await waitFor(() => router.status().ackedSeq >= last, { what: `router acked CUSTOM up to ${last}`, timeoutMs: 30_000 });
}

/** Every trade in TRADES, in log order. */
export async function tradesInLog(s: Stack): Promise<Trade[]> {
  const jsm = await jetstreamManager(s.probe);
  const out: Trade[] = [];
  const last = (await jsm.streams.info("TRADES")).state.last_seq;
  for (let seq = 1; seq <= last; seq++) out.push(...decodeTradeLogTrades((await jsm.streams.getMessage("TRADES", { seq }))!.data));
  return out;
}

/** Every dead letter in DLQ: its subject and body. */
export async function deadLetters(s: Stack): Promise<{ subject: string; body: Record<string, unknown> }[]> {
  const jsm = await jetstreamManager(s.probe);
  const out = [];
  const last = (await jsm.streams.info("DLQ")).state.last_seq;
  for (let seq = 1; seq <= last; seq++) {
    const m = (await jsm.streams.getMessage("DLQ", { seq }))!;
    out.push({ subject: m.subject, body: JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown> });
  }
  return out;
}
