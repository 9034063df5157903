/**
 * The Connections page: the gateway's API keys (bootstrap INGEST_API_KEYS and runtime keys in
 * PostgreSQL) with their use, creating and revoking runtime keys, and per source the last records
 * in the log and the errors the gateway answered. Creating and revoking are admin mutations,
 * gated like the Control page's and recorded in the same audit trail; the key list is an
 * admin-only read (not audited).
 */
import { TRPCError } from "@trpc/server";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { z } from "zod";
import { AuditPublisher } from "../../../admin/audit-publish.js";
import type { AuditRecord } from "../../../admin/protocol.js";
import { controlServicesFor } from "../../../control/web-services.js";
import { lastMessages } from "../../../control/last-messages.js";
import { ingestSubject, parseIngestSubject } from "../../../custom/names.js";
import { STREAMS } from "../../../runtime/nats/spec.js";
import type { WebContext } from "../context.js";
import type { ApiKeyStore, GatewayConnections } from "../gateway/index.js";
import { publicProcedure, router } from "../trpc.js";
import { adminTokenFor, isAdminCaller, type AdminCaller } from "./admin-gate.js";

const sourceSchema = z.string().regex(/^[a-z0-9][a-z0-9_]{0,31}$/, "source must be 1-32 characters of a-z, 0-9 and _");
const tokenSchema = z.string().max(512).nullish();

function connections(ctx: WebContext): GatewayConnections {
  if (ctx.gateway === undefined) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "this web server has no ingestion gateway" });
  return ctx.gateway.connections;
}

function keyStore(ctx: WebContext): ApiKeyStore {
  const store = connections(ctx).keyStore;
  if (store === undefined) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "runtime API keys need a database: this web server has none, so only INGEST_API_KEYS apply" });
  return store;
}

const publishers = new WeakMap<NatsConnection, AuditPublisher>();
/** Into the admin audit trail: through the control services when they run here (they name this web server), else straight to the AUDIT stream. */
function audit(ctx: WebContext, record: Omit<AuditRecord, "at" | "nodeId">): void {
  const control = controlServicesFor(ctx.nc);
  if (control !== undefined) return record.result === "rejected" ? control.auditRefusal(record) : control.auditForwarded(record);
  let publisher = publishers.get(ctx.nc);
  if (publisher === undefined) publishers.set(ctx.nc, (publisher = new AuditPublisher(ctx.nc)));
  void publisher.publish({ ...record, at: new Date().toISOString(), nodeId: "web" });
}

/** The admin gate; a refusal is audited (admin-gate.ts audits it already when the control plane decides). */
function adminCaller(ctx: WebContext, token: string | null | undefined, command: string, args: string[]): AdminCaller {
  try {
    return adminTokenFor(ctx, token, command);
  } catch (err) {
    if (err instanceof TRPCError && ctx.admin !== undefined && (err.code === "UNAUTHORIZED" || err.code === "FORBIDDEN")) {
      audit(ctx, { caller: `web@${ctx.caller?.remoteAddress ?? "unknown"}`, command, args, result: "rejected", detail: err.message });
    }
    throw err;
  }
}

const managers = new WeakMap<NatsConnection, Promise<JetStreamManager>>();
function manager(nc: NatsConnection): Promise<JetStreamManager> {
  let jsm = managers.get(nc);
  if (jsm === undefined) {
    jsm = jetstreamManager(nc);
    jsm.catch(() => managers.delete(nc));
    managers.set(nc, jsm);
  }
  return jsm;
}

export const connectionsRouter = router({
  /** Sources to show: those with keys, with records in the log, or with errors; and whether keys can be managed here. */
  overview: publicProcedure.query(async ({ ctx }) => {
    const c = connections(ctx);
    const sources = new Set<string>([...c.bootstrapKeys.map((k) => k.source), ...c.errors.sources()]);
    if (c.keyStore) for (const k of await c.keyStore.list()) if (k.revokedAt === null) sources.add(k.source);
    try {
      const info = await (await manager(ctx.nc)).streams.info(STREAMS.custom, { subjects_filter: "ingest.>" });
      for (const subject of Object.keys(info.state.subjects ?? {})) {
        const parsed = parseIngestSubject(subject);
        if (parsed) sources.add(parsed.source);
      }
    } catch {
      // No CUSTOM stream yet: the sources come from keys and errors only.
    }
    sources.delete("*");
    return { sources: [...sources].sort(), keysManaged: c.keyStore !== undefined, admin: isAdminCaller(ctx), docs: "/api/docs" };
  }),

  /** Every key with its source scope, creation, last use, requests, records and requests in the last minute. Admin only. */
  keys: publicProcedure.query(async ({ ctx }) => {
    if (!isAdminCaller(ctx)) throw new TRPCError({ code: "FORBIDDEN", message: "the API keys are admin only: sign in with an admin token on this page, or send x-admin-token" });
    const c = connections(ctx);
    const now = c.now();
    const bootstrap = c.bootstrapKeys.map((k) => {
      const use = c.bootstrapUsage.snapshot(k.keyId, now);
      return { keyId: k.keyId, label: "set in INGEST_API_KEYS (restart to change)", source: k.source, kind: "bootstrap" as const, createdAt: null, createdBy: null, revokedAt: null, lastUsedAt: use?.lastUsedAt ?? null, requests: use?.requests ?? 0, records: use?.records ?? 0, perMinute: use?.perMinute ?? 0 };
    });
    const runtime = c.keyStore ? (await c.keyStore.list()).map((k) => ({ ...k, kind: "runtime" as const })) : [];
    return { keys: [...runtime, ...bootstrap], error: c.keyStore?.lastError ?? null };
  }),

  createKey: publicProcedure
    .input(z.object({ source: z.union([z.literal("*"), sourceSchema]), label: z.string().trim().min(1, "give the key a label").max(80), token: tokenSchema }))
    .mutation(async ({ ctx, input }) => {
      const args = [input.source, input.label];
      const caller = adminCaller(ctx, input.token, "api-keys.create", args);
      const created = await keyStore(ctx).create({ source: input.source, label: input.label, createdBy: caller.principal });
      audit(ctx, { caller: caller.principal, command: "api-keys.create", args: [created.view.keyId, ...args], result: "ok" });
      return created;
    }),

  revokeKey: publicProcedure.input(z.object({ keyId: z.string().regex(/^[0-9a-f]{12}$/, "a runtime key id (12 hex digits)"), token: tokenSchema })).mutation(async ({ ctx, input }) => {
    const caller = adminCaller(ctx, input.token, "api-keys.revoke", [input.keyId]);
    const revoked = await keyStore(ctx).revoke(input.keyId, caller.principal);
    audit(ctx, { caller: caller.principal, command: "api-keys.revoke", args: [input.keyId], result: revoked ? "ok" : "failed", ...(revoked ? {} : { detail: "no such active key" }) });
    if (!revoked) throw new TRPCError({ code: "NOT_FOUND", message: `no active key ${input.keyId}` });
    return { keyId: input.keyId, revoked: true };
  }),

  /** The last records of a source in the log (HTTP and NATS alike) and the last errors this node answered for it. */
  activity: publicProcedure.input(z.object({ source: sourceSchema, limit: z.number().int().min(1).max(50).default(10) })).query(async ({ ctx, input }) => {
    const c = connections(ctx);
    let records: { seq: number; subject: string; time: string; data: string; truncated: boolean }[] = [];
    let note: string | null = null;
    try {
      const found = await lastMessages(await manager(ctx.nc), jetstream(ctx.nc), { stream: STREAMS.custom, subject: ingestSubject(input.source, "*"), limit: input.limit, maxBytes: 2048, maxScan: 100_000 });
      records = found.reverse().map((m) => ({ seq: m.seq, subject: m.subject, time: m.time, data: m.data, truncated: m.truncated }));
    } catch (err) {
      note = /stream not found/i.test((err as Error).message) ? "no CUSTOM stream yet: nothing has been sent" : `reading the log: ${(err as Error).message}`;
    }
    return { records, errors: c.errors.of(input.source), note };
  }),
});
