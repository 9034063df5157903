/**
 * A real platform node in this process (private nats-server, PostgreSQL schema, lake on disk)
 * running the quality and control components, plus the web server with control services.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";
import { WebSocket } from "ws";
import { localAdminToken } from "../../src/admin/auth.js";
import { loadConfig, type Config } from "../../src/config/index.js";
import { migrate, type Database } from "../../src/db/index.js";
import { Lake } from "../../src/lake/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { PlatformNode } from "../../src/node/node.js";
import { LogForwarder, startControlServices, type ControlServices } from "../../src/control/index.js";
import { controlComponent } from "../../src/node/components/control.js";
import { qualityComponent } from "../../src/node/components/quality.js";
import { createWebServer, type AppRouter, type WebServer } from "../../src/web/index.js";
import { startNatsServer, type NatsServerHandle } from "../helpers/nats-server.js";
import { postgresBackend } from "../db/fixtures.js";

export interface ControlStack extends AsyncDisposable {
  server: NatsServerHandle;
  nc: NatsConnection;
  node: PlatformNode;
  config: Config;
  db: Database;
  lake: Lake;
  dataDir: string;
  forwarder: LogForwarder;
  web: WebServer;
  services: ControlServices;
  client(token?: string): ReturnType<typeof createTRPCClient<AppRouter>>;
  /** A tRPC client with subscriptions over WebSocket. */
  liveClient(): { trpc: ReturnType<typeof createTRPCClient<AppRouter>>; close(): void };
}

export async function startControlStack(options: { adminTokens?: string[]; readTokens?: string[]; seedLake?: (lake: Lake) => Promise<void>; now?: () => number; replyWithinMs?: number } = {}): Promise<ControlStack> {
  const server = await startNatsServer();
  const dataDir = mkdtempSync(join(tmpdir(), "control-"));
  const db = await postgresBackend().open();
  await migrate(db);
  const lake = Lake.open(join(dataDir, "lake"));
  await options.seedLake?.(lake);
  const env: NodeJS.ProcessEnv = { NATS_URL: server.url, NODE_ID: "node-q1", DATA_DIR: dataDir, ROLES: "quality", SYMBOLS: "BTCUSDT", ADMIN_TOKENS: (options.adminTokens ?? []).join(",") };
  const config = loadConfig([], env);
  const forwarder = new LogForwarder(config.nodeId, { minLevel: "info" });
  const log = createLogger({ node: config.nodeId, level: "info", write: () => {}, sink: forwarder.sink });
  const nc = await connect({ servers: server.url, name: "node-q1" });
  const node = await PlatformNode.start({
    config,
    nc,
    log,
    components: [
      qualityComponent(config, { db, lake, scheduleEveryMs: 0, replyWithinMs: options.replyWithinMs ?? 20_000, ...(options.now ? { now: options.now } : {}) }),
      controlComponent(config, { db, forwarder }),
    ],
  });
  const webNc = await connect({ servers: server.url, name: "web" });
  const services = await startControlServices({ nc: webNc, adminTokens: config.adminTokens, dataDir, db, lake, webId: "web-test" });
  // As the node's web component does: the admin tokens also open admin sessions (/auth/session).
  const web = await createWebServer({ port: 0, nc: webNc, statusProvider: async () => [node.status()], admin: { tokens: config.adminTokens, localToken: localAdminToken(dataDir) }, readTokens: options.readTokens ?? [] });
  const url = web.url;
  const client = (token?: string) =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers: () => (token ? { "x-admin-token": token } : {}) })] });
  const liveClient = () => {
    const ws = createWSClient({ url: `${url.replace("http", "ws")}/trpc`, WebSocket: WebSocket as never });
    const trpc = createTRPCClient<AppRouter>({ links: [splitLink({ condition: (op) => op.type === "subscription", true: wsLink({ client: ws }), false: httpBatchLink({ url: `${url}/trpc` }) })] });
    return { trpc, close: () => ws.close() };
  };
  const dispose = async () => {
    await web.close();
    await services.close();
    await node.stop();
    await webNc.close();
    await db[Symbol.asyncDispose]();
    await server[Symbol.asyncDispose]();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { server, nc, node, config, db, lake, dataDir, forwarder, web, services, client, liveClient, [Symbol.asyncDispose]: dispose };
}
