/**
 * The `web` role: the HTTP server (tRPC + WebSocket subscriptions, /healthz, /metrics, the React
 * dashboard). Cluster status comes from every node's admin `status`, asked with this node's token.
 */
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { callAdmin } from "../../admin/client.js";
import { localAdminToken } from "../../admin/auth.js";
import { createWebServer, type WebServer } from "../../web/server/server.js";
import type { NodeStatus } from "../../runtime/status.js";
import type { NodeComponent } from "../component.js";
import type { NodeDatabase } from "./database.js";
import { NodeMetrics } from "../metrics.js";
import { ApiKeyStore, createIngestGateway } from "../../web/server/gateway/index.js";
import { startControlServices } from "../../control/web-services.js";
import type { Lake } from "../../lake/index.js";
import { Uploads } from "../../web/server/uploads/uploads.js";
import { finishedDetail } from "../../web/server/uploads/handler.js";

/** `metrics`: the node's registry, shared with the other roles' components (a fresh one by default). */
export function webComponent(database: NodeDatabase | undefined, metrics = new NodeMetrics(), lake?: Lake): NodeComponent & { server(): WebServer | undefined } {
  let server: WebServer | undefined;
  return {
    name: "web",
    server: () => server,
    async start(ctx) {
      const { config, nc } = ctx;
      const token = config.adminTokens[0] ?? localAdminToken(config.dataDir);
      metrics.watchNode(ctx.system, ctx.ownership);
      metrics.watchLog(await jetstreamManager(nc));
      metrics.watchNatsServers(config.natsMonitorUrls, ({ server, up, reason }) => {
        if (up) ctx.log.info(`NATS server ${server}: monitoring endpoint answers`);
        else ctx.log.warn(`NATS server ${server}: monitoring endpoint unreadable (${reason}); nats_server_up is 0`);
      });
      const db = database ? await database.get() : undefined;
      // Runtime API keys of the gateway (Connections page); without a database only INGEST_API_KEYS apply.
      const keyStore = db ? await ApiKeyStore.open(db) : undefined;
      // The control plane (admin commands with auth and audit, live logs, log browser, data page).
      const control = await startControlServices({ nc, adminTokens: config.adminTokens, dataDir: config.dataDir, ...(db ? { db } : {}), ...(lake ? { lake } : {}), webId: `web-${config.nodeId}`, log: ctx.log });
      // Files from the Data page, staged under DATA_DIR/uploads and imported one at a time.
      const uploads = new Uploads({
        dir: join(config.dataDir, "uploads"),
        nc,
        partitions: config.partitions,
        spoolDir: join(config.dataDir, "spool-upload"),
        chunkBytes: config.uploadChunkBytes,
        windows: { sizeMs: config.windowSizeMs, slideMs: config.windowSlideMs, allowedLatenessMs: config.allowedLatenessMs },
        ...(lake ? { lake } : {}),
        onFinished: (s) => {
          control.auditForwarded({ caller: control.webId, onBehalfOf: s.by, command: "upload-import", args: [s.name, s.kind, s.target], result: s.phase === "done" ? "ok" : "failed", detail: finishedDetail(s) });
          ctx.log.info(`upload ${s.name} (${s.target}) ${s.phase}`, { detail: finishedDetail(s) });
        },
      });
      server = await createWebServer({
        uploads,
        host: config.web.host,
        port: config.web.port,
        allowedHosts: config.web.allowedHosts,
        allowedOrigins: config.web.allowedOrigins,
        limits: config.web.limits,
        readTokens: config.readTokens,
        nc,
        registry: metrics.registry,
        topSymbols: config.metricsTopSymbols,
        ...(db ? { db } : {}),
        admin: { tokens: config.adminTokens, localToken: localAdminToken(config.dataDir) },
        gateway: createIngestGateway({ nc, apiKeys: config.ingest.apiKeys, ...(keyStore ? { keyStore } : {}), maxBodyBytes: config.ingest.maxBodyBytes, timeBounds: config.customTimeBounds, quotas: config.customQuotas, registry: metrics.registry }),
        statusProvider: async () => {
          const replies = await callAdmin(nc, "status", [], { token, timeoutMs: 2000, stallMs: 200 });
          return replies.flatMap((r) => (r.ok ? [r.result as NodeStatus] : []));
        },
      });
      ctx.log.info(`dashboard on ${server.url}`);
      ctx.shutdown.add("stop-intake", "web server", async () => {
        await server?.close();
        await uploads.close();
        await keyStore?.close();
        await control[Symbol.asyncDispose]();
      });
    },
    status: () => (server ? { url: server.url } : undefined),
  };
}
