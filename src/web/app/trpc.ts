/**
 * The dashboard's tRPC client: subscriptions over one auto-reconnecting WebSocket (resuming
 * tracked streams from their last id), queries over HTTP. Only the router's *type* crosses
 * from the server.
 */
import { createTRPCClient, createWSClient, httpBatchLink, splitLink, wsLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../server/router.js";

export type Outputs = inferRouterOutputs<AppRouter>;
export type CandleView = Outputs["market"]["candles"][number];
export type BarView = Outputs["market"]["bars"][number];
export type SystemSnapshot = Outputs["system"]["status"];
export type NodeStatusView = SystemSnapshot["nodes"][number];

export type ConnectionState = "connecting" | "open" | "closed";
type Listener = (s: ConnectionState) => void;
const listeners = new Set<Listener>();
let connection: ConnectionState = "connecting";

function setConnection(s: ConnectionState) {
  connection = s;
  for (const l of listeners) l(s);
}

export function onConnection(l: Listener): () => void {
  listeners.add(l);
  l(connection);
  return () => listeners.delete(l);
}

const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/trpc`;

const wsClient = createWSClient({
  url: wsUrl,
  // Back off up to 5 s between attempts; the client resubscribes with each stream's last id.
  retryDelayMs: (attempt) => Math.min(5_000, 250 * 2 ** attempt),
  keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
  onOpen: () => setConnection("open"),
  onClose: () => setConnection("closed"),
});

export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: wsLink({ client: wsClient }),
      // The server refuses batches above WEB_MAX_BATCH (default 20).
      false: httpBatchLink({ url: "/trpc", maxItems: 20 }),
    }),
  ],
});

type Yielded<T> = T extends AsyncIterable<infer U> ? U : never;
/** A live tick as the `market.ticks` subscription delivers it (inside its tracked envelope). */
export type Tick = Yielded<Outputs["market"]["ticks"]>["data"];
