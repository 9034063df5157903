/**
 * The control plane's part on a node: forward this node's log records to `events.log.<nodeId>`,
 * and (where a database is available) copy the admin audit trail from the log into PostgreSQL.
 * The web side (router, pages) lives in src/web and uses `startControlServices`.
 */
import type { Config } from "../../config/index.js";
import { type Database } from "../../db/database.js";
import { componentDatabase } from "./database.js";
import type { NodeComponent } from "../component.js";
import { startAuditWriter, type AuditWriter } from "../../control/audit-writer.js";
import type { LogForwarder } from "../../control/log-forward.js";

export interface ControlComponentOptions {
  /** The forwarder given to the node's `createLogger({ sink: forwarder.sink })`; attached to the node's connection here. */
  forwarder?: LogForwarder;
  /**
   * Where the audit trail goes. Default: a pool of its own when DATABASE_URL is set; with
   * embedded PGlite pass the node's shared Database, or no audit writer runs on this node.
   * `null` disables the writer. A function is called once at start (e.g. `() => nodeDatabase.get()`).
   */
  db?: Database | (() => Promise<Database>) | null;
}

export function controlComponent(config: Config, opts: ControlComponentOptions = {}): NodeComponent {
  let writer: AuditWriter | undefined;
  return {
    name: "control",
    async start(ctx) {
      opts.forwarder?.attach(ctx.nc);
      const db = await componentDatabase(config, opts.db, ctx.shutdown, "control");
      if (!db) {
        ctx.log.info("no database on this node: the admin audit writer runs elsewhere (the trail waits in the AUDIT stream)");
        return;
      }
      const w = await startAuditWriter({ nc: ctx.nc, db, log: ctx.log });
      writer = w;
      ctx.shutdown.add("flush", "admin audit writer", () => w.stop());
      ctx.log.info("admin audit writer started (AUDIT stream, audit.admin.> → admin_audit)");
    },
    status() {
      return { logForwarding: opts.forwarder?.stats() ?? null, auditWriter: writer?.stats() ?? null };
    },
  };
}
