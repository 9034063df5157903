/** What every procedure sees: the live feeds, history, status and metrics of this server. */
import type { IncomingMessage } from "node:http";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Database } from "../../db/database.js";
import type { BarWatcher } from "./feeds/bars.js";
import type { StatusPoller } from "./feeds/status.js";
import type { TickHub } from "./feeds/ticks.js";
import type { MarketHistory } from "./history.js";
import type { FailureLimit } from "./failure-limit.js";
import type { IngestGateway } from "./gateway/handler.js";
import type { WebLimits } from "../../config/web-limits.js";
import { SubscriptionBudget } from "./limits.js";
import type { WebMetrics } from "./metrics.js";

export interface WebContext {
  nc: NatsConnection;
  ticks: TickHub;
  bars: BarWatcher;
  history: MarketHistory;
  status: StatusPoller;
  metrics: WebMetrics;
  /** Registry reads (MLOps page); absent when the server has no database. */
  db?: Database | undefined;
  /** The ingestion gateway, for the Connections page (its keys and recent errors); absent when not mounted. */
  gateway?: IngestGateway | undefined;
  /** Who may run admin mutations; absent: every admin mutation is refused. */
  admin?: AdminGateOptions | undefined;
  /** Body, batch, subscription and replay bounds. */
  limits: WebLimits;
  /** Failed token attempts per address: the server's gate counts token headers, the admin gate tokens sent in a mutation's input. */
  tokenAttempts?: FailureLimit | undefined;
  /** The HTTP request's origin and admin token (its `x-admin-token` header, else its admin session's), for admin mutations. */
  caller?: { remoteAddress: string | undefined; token: string | undefined };
  /** The subscriptions of this connection (a WebSocket's context lives as long as the socket). */
  subscriptions?: SubscriptionBudget;
}

export interface AdminGateOptions {
  /** ADMIN_TOKENS. Empty: admin mutations only from loopback (127.0.0.1 / ::1). */
  tokens: readonly string[];
  /** The node's machine-local admin token, forwarded to the admin endpoint for loopback callers when no tokens are configured. */
  localToken?: string | undefined;
}

/**
 * The server builds one context; each request or WebSocket connection gets it with its own
 * caller and subscription budget. The caller's admin token is the `x-admin-token` header (API
 * clients) or else the one its browser session holds server-side (`sessionAdminToken`), looked
 * up at each use: a WebSocket's context lives as long as the socket, and forgetting the admin
 * token or signing out must end its admin power at once.
 */
export function createContextFactory(ctx: WebContext, sessionAdminToken: (req: IncomingMessage) => string | undefined = () => undefined): (opts?: { req?: IncomingMessage }) => WebContext {
  return (opts) => {
    const req = opts?.req;
    if (req === undefined) return ctx;
    const header = req.headers["x-admin-token"];
    const headerToken = typeof header === "string" && header !== "" ? header : undefined;
    return {
      ...ctx,
      caller: {
        remoteAddress: req.socket?.remoteAddress,
        get token() {
          return headerToken ?? sessionAdminToken(req);
        },
      },
      subscriptions: new SubscriptionBudget(ctx.limits.maxSubscriptions),
    };
  };
}
