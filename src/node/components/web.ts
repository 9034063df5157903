/**
 * The `web` role: the HTTP server (tRPC + WebSocket subscriptions, /healthz, /metrics, the React
 * dashboard). Cluster status comes from every node's admin `status`, asked with this node's token.
 */
import { callAdmin } from "../../admin/client.js";
import { localAdminToken } from "../../admin/auth.js";
import { createWebServer, type WebServer } from "../../web/server/server.js";
import type { NodeStatus } from "../status.js";
import type { NodeComponent } from "../component.js";
import type { NodeDatabase } from "./database.js";
import { NodeMetrics } from "../metrics.js";

/** `metrics`: the node's registry, shared with the other roles' components (a fresh one by default). */
export function webComponent(database: NodeDatabase | undefined, metrics = new NodeMetrics()): NodeComponent & { server(): WebServer | undefined } {
  let server: WebServer | undefined;
  return {
    name: "web",
    server: () => server,
    async start(ctx) {
      const { config, nc } = ctx;
      const token = config.adminTokens[0] ?? localAdminToken(config.dataDir);
      metrics.watchNode(ctx.system, ctx.ownership);
      server = await createWebServer({
        host: config.web.host,
        port: config.web.port,
        nc,
        registry: metrics.registry,
        ...(database ? { db: await database.get() } : {}),
        statusProvider: async () => {
          const replies = await callAdmin(nc, "status", [], { token, timeoutMs: 2000, stallMs: 200 });
          return replies.flatMap((r) => (r.ok ? [r.result as NodeStatus] : []));
        },
      });
      ctx.log.info(`dashboard on ${server.url}`);
      ctx.shutdown.add("stop-intake", "web server", () => server?.close());
    },
    status: () => (server ? { url: server.url } : undefined),
  };
}
