/** Synthetic messages in the platform's contracts, and a running web stack for tests. */
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";
import { WebSocket } from "ws";
import type { LiveTick } from "../../src/actors/symbol/messages.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import type { Candle } from "../../src/market/candles.js";
import type { NodeStatus } from "../../src/runtime/status.js";
import { bootstrap, platformLogSpec } from "../../src/runtime/nats/index.js";
import { createWebServer, type WebServer, type WebServerOptions } from "../../src/web/index.js";
import type { AppRouter } from "../../src/web/index.js";
import { closedInOrder } from "../helpers/dispose.js";
import { startNatsServer, type NatsServerHandle } from "../helpers/nats-server.js";

const enc = new TextEncoder();
export const json = (v: unknown) => enc.encode(JSON.stringify(v));

export function candle(symbol: string, openTime: number, open: number, close: number, intervalMs = 60_000): Candle {
  return {
    symbol,
    intervalMs,
    openTime,
    endTime: openTime + intervalMs,
    open,
    high: Math.max(open, close) * 1.0005,
    low: Math.min(open, close) * 0.9995,
    close,
    volume: 1.5,
    quoteVolume: 1.5 * close,
    tradeCount: 42,
    firstTradeId: 1,
    lastTradeId: 42,
    closedByIngestTime: openTime + intervalMs + 5,
  };
}

export function tick(symbol: string, tradeId: number, price: number, now: number, current: Candle | null = null): LiveTick {
  return { symbol, price, quantity: 0.01, tradeId, tradeTime: now - 3, ingestTime: now - 1, tradesSinceLastTick: 3, candle: current, emittedAt: now };
}

export function silverBar(symbol: string, windowEnd: number, close: number, prediction: number | null): SilverBar {
  return {
    symbol,
    windowStart: windowEnd - 30_000,
    windowEnd,
    open: close * 0.999,
    high: close * 1.001,
    low: close * 0.998,
    close,
    avgPrice: close,
    vwap: close,
    volume: 3,
    tradeCount: 30,
    volatility: close * 0.0004,
    firstTradeId: 1,
    lastTradeId: 30,
    firstTradeTime: windowEnd - 29_000,
    lastTradeTime: windowEnd - 100,
    closedByIngestTime: windowEnd + 2_001,
    features: null,
    prediction,
    modelVersion: "naive-v1",
    emittedAt: windowEnd + 2_004,
  };
}

export function fakeNode(nodeId: string, owners: (string | null)[]): NodeStatus {
  return {
    nodeId,
    host: "test-host",
    pid: 4242,
    roles: ["ingest", "web"],
    state: "running",
    uptimeMs: 61_000,
    actors: { count: 7, restarts: 1, mailboxDepthTotal: 3, deepest: [{ path: "/symbols/BTCUSDT", depth: 3 }] },
    cluster: { partitionCount: owners.length, members: [], owners, owned: owners.flatMap((o, i) => (o === nodeId ? [i] : [])) },
    // A lag per owned partition: partition i has 10·i messages waiting; partition 5 has been stalled for 45 s (the System page shows them).
    partitionLag: owners.flatMap((o, i) => (o === nodeId ? [{ region: "symbols", partition: i, backlog: 10 * i, pending: i, unhandled: 0, stalledForMs: i === 5 ? 45_000 : 0 }] : [])),
    components: {},
  };
}

export interface WebStack extends AsyncDisposable {
  nats: NatsServerHandle;
  /** The server's connection. */
  nc: NatsConnection;
  /** A publisher's connection (what the platform's producers would be). */
  pub: NatsConnection;
  server: WebServer;
}

export async function startWebStack(options: Partial<WebServerOptions> = {}): Promise<WebStack> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const pub = await connect({ servers: nats.url });
  await bootstrap(pub, platformLogSpec());
  const server = await createWebServer({
    host: "127.0.0.1",
    port: 0,
    nc,
    statusProvider: async () => [fakeNode("node-a", Array.from({ length: 32 }, (_, i) => (i % 2 === 0 ? "node-a" : "node-b")))],
    ...options,
  });
  return closedInOrder({ nats, nc, pub, server }, () => server.close(), () => pub.close(), () => nc.close(), () => nats[Symbol.asyncDispose]());
}

export function trpcClient(url: string, hooks: { onOpen?: () => void } = {}) {
  const wsClient = createWSClient({
    url: url.replace(/^http/, "ws") + "/trpc",
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    retryDelayMs: () => 50,
    ...(hooks.onOpen ? { onOpen: hooks.onOpen } : {}),
  });
  const client = createTRPCClient<AppRouter>({
    links: [splitLink({ condition: (op) => op.type === "subscription", true: wsLink({ client: wsClient }), false: httpBatchLink({ url: url + "/trpc" }) })],
  });
  return {
    client,
    wsClient,
    async [Symbol.asyncDispose]() {
      await wsClient.close();
    },
  };
}
