/**
 * The Connections stack: a private nats-server with the platform's streams, PostgreSQL (fresh
 * schema, migrated), the gateway with a bootstrap key and runtime keys, and the web server with
 * an admin token. Audit records are collected from `audit.admin.>` as they are published.
 */
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { migrate } from "../../src/db/index.js";
import type { AuditRecord } from "../../src/admin/protocol.js";
import { bootstrap, platformLogSpec } from "../../src/runtime/nats/index.js";
import { createWebServer, type AppRouter, type WebServer } from "../../src/web/index.js";
import { ApiKeyStore, createIngestGateway, type ApiKeyStoreOptions, type IngestGateway } from "../../src/web/server/gateway/index.js";
import { closedInOrder } from "../helpers/dispose.js";
import { startNatsServer, type NatsServerHandle } from "../helpers/nats-server.js";
import { postgresBackend, type TestDatabase } from "../db/fixtures.js";

export const BOOTSTRAP_KEY = "acme-bootstrap-key-1";
export const ADMIN_TOKEN = "connections-admin-token-1";
export const T = Date.UTC(2026, 10, 28, 9, 0, 0);

export interface WebNode extends AsyncDisposable {
  nc: NatsConnection;
  store: ApiKeyStore;
  gateway: IngestGateway;
  server: WebServer;
}

export interface ConnectionsStack extends AsyncDisposable {
  nats: NatsServerHandle;
  db: TestDatabase;
  probe: NatsConnection;
  node: WebNode;
  /** Audit records published so far. */
  audits: AuditRecord[];
  /** Another web node on the same NATS and database. */
  startNode(options?: ApiKeyStoreOptions & { adminTokens?: string[] }): Promise<WebNode>;
  client(url: string, token?: string): ReturnType<typeof createTRPCClient<AppRouter>>;
  ingest(url: string, key: string | undefined, source: string, body: unknown): Promise<{ status: number; body: any }>;
}

export async function startConnectionsStack(options: ApiKeyStoreOptions & { adminTokens?: string[] } = {}): Promise<ConnectionsStack> {
  const nats = await startNatsServer();
  const probe = await connect({ servers: nats.url });
  await bootstrap(probe, platformLogSpec());
  const audits: AuditRecord[] = [];
  probe.subscribe("audit.admin.>", {
    callback: (err, msg) => {
      if (!err) audits.push(msg.json<AuditRecord>());
    },
  });
  await probe.flush();
  const db = await postgresBackend().open();
  await migrate(db);
  const nodes: WebNode[] = [];
  async function startNode(o: ApiKeyStoreOptions & { adminTokens?: string[] } = options): Promise<WebNode> {
    const nc = await connect({ servers: nats.url });
    const store = await ApiKeyStore.open(db, o);
    const gateway = createIngestGateway({ nc, apiKeys: `acme:${BOOTSTRAP_KEY}`, keyStore: store, publishTimeoutMs: 2000 });
    const server = await createWebServer({ port: 0, nc, db, statusProvider: async () => [], gateway, admin: { tokens: o.adminTokens ?? [ADMIN_TOKEN] } });
    const node: WebNode = closedInOrder({ nc, store, gateway, server }, () => server.close(), () => store.close(), () => nc.close());
    nodes.push(node);
    return node;
  }
  const node = await startNode();
  return {
    nats,
    db,
    probe,
    node,
    audits,
    startNode,
    client: (url, token) => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/trpc`, headers: () => (token ? { "x-admin-token": token } : {}) })] }),
    async ingest(url, key, source, body) {
      const res = await fetch(`${url}/api/ingest/${source}`, { method: "POST", headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}) }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    async [Symbol.asyncDispose]() {
      for (const n of nodes.reverse()) await n[Symbol.asyncDispose]();
      await probe.close();
      await db[Symbol.asyncDispose]();
      await nats[Symbol.asyncDispose]();
    },
  };
}
