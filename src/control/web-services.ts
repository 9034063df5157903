/**
 * What the web server's control router needs (registered under the connection, see the end of this file): the auth policy, the log tail, JetStream for the log
 * browser, and optionally the database (audit, quality history) and the lake (data page).
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { AuditPublisher, type AuditPublisherOptions } from "../admin/audit-publish.js";
import type { AuditRecord } from "../admin/protocol.js";
import type { Database } from "../db/database.js";
import type { Lake } from "../lake/lake.js";
import { LogTail } from "./log-tail.js";
import { ControlAuth } from "./web-auth.js";

export interface ControlServices extends AsyncDisposable {
  auth: ControlAuth;
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
  logs: LogTail;
  db: Database | undefined;
  lake: Lake | undefined;
  /** Who the web server is in the audit trail of requests it refuses itself. */
  webId: string;
  auditRefusal(record: Omit<AuditRecord, "at" | "nodeId" | "result">): void;
  /**
   * The web server's own record of a command it forwarded: the nodes audit it too, but they only
   * see the web server's user@host as caller; this record names the requester (address, token fingerprint).
   */
  auditForwarded(record: Omit<AuditRecord, "at" | "nodeId">): void;
  close(): Promise<void>;
}

export interface ControlServicesOptions {
  nc: NatsConnection;
  adminTokens: readonly string[];
  dataDir: string;
  db?: Database;
  lake?: Lake;
  webId?: string;
  /** Log lines kept for new viewers. Default 1000. */
  logBacklog?: number;
  /** Where an audit record that could not be stored is reported (the node's logger). */
  log?: AuditPublisherOptions["log"];
}

export async function startControlServices(o: ControlServicesOptions): Promise<ControlServices> {
  const logs = await LogTail.start(o.nc, { backlog: o.logBacklog ?? 1000 });
  const webId = o.webId ?? "web";
  // Acknowledged and retried in the background: a refusal or a forwarded command's reply never waits for it.
  const audits = new AuditPublisher(o.nc, o.log ? { log: o.log } : {});
  let unregister = () => {};
  const close = async () => {
    unregister();
    await logs.close();
  };
  const services: ControlServices = {
    auth: new ControlAuth(o.adminTokens, o.dataDir),
    nc: o.nc,
    jsm: await jetstreamManager(o.nc),
    js: jetstream(o.nc),
    logs,
    db: o.db,
    lake: o.lake,
    webId,
    auditRefusal(record) {
      void audits.publish({ ...record, at: new Date().toISOString(), nodeId: webId, result: "rejected" });
    },
    auditForwarded(record) {
      void audits.publish({ ...record, at: new Date().toISOString(), nodeId: webId });
    },
    close,
    [Symbol.asyncDispose]: close,
  };
  unregister = registerControlServices(o.nc, services);
  return services;
}

/*
 * The web server's control services, found by the NATS connection the server was given. This
 * keeps the control router pluggable without widening the shared WebContext: whoever starts the
 * web server calls `startControlServices({ nc, ... })` with the same connection.
 */
const byConnection = new WeakMap<NatsConnection, ControlServices>();

export function registerControlServices(nc: NatsConnection, services: ControlServices): () => void {
  byConnection.set(nc, services);
  return () => {
    if (byConnection.get(nc) === services) byConnection.delete(nc);
  };
}

export function controlServicesFor(nc: NatsConnection): ControlServices | undefined {
  return byConnection.get(nc);
}
