/** What every procedure sees: the live feeds, history, status and metrics of this server. */
import type { NatsConnection } from "@nats-io/nats-core";
import type { BarWatcher } from "./feeds/bars.js";
import type { StatusPoller } from "./feeds/status.js";
import type { TickHub } from "./feeds/ticks.js";
import type { MarketHistory } from "./history.js";
import type { WebMetrics } from "./metrics.js";

export interface WebContext {
  nc: NatsConnection;
  ticks: TickHub;
  bars: BarWatcher;
  history: MarketHistory;
  status: StatusPoller;
  metrics: WebMetrics;
}

/** The server builds one context and hands the same one to every request and socket. */
export function createContextFactory(ctx: WebContext): () => WebContext {
  return () => ctx;
}
