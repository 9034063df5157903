/**
 * The control plane: admin commands (forwarded to the nodes with callAdmin, after the web
 * server's own token / loopback check), the audit trail, the live log tail of every node, the
 * log browser (streams, subjects, consumers, last messages, dead letters), quality reports and
 * the data catalogue. Services come from `startControlServices` (src/control) on the same NATS
 * connection as the server.
 */
import { tracked, TRPCError } from "@trpc/server";
import { z } from "zod";
import { callAdmin, NoAdminReply } from "../../../admin/client.js";
import { isSubjectToken, type AdminReply } from "../../../admin/protocol.js";
import { listAudit, listQualityReports } from "../../../db/registry/operations.js";
import { controlServicesFor } from "../../../control/web-services.js";
import type { ControlServices } from "../../../control/web-services.js";
import { discoverCommands } from "../../../control/commands.js";
import { adminOnlyMessages, adminOnlyStream } from "../../../control/admin-reads.js";
import { deadLetters, listConsumers, listStreams, streamSubjects, subjectMessages } from "../../../control/log-browser.js";
import { lastMessages } from "../../../control/last-messages.js";
import { latestRows, listTables, schemaHistory, summarizeTable } from "../../../control/data-catalog.js";
import type { LogEntry } from "../../../control/log-tail.js";
import { matchesLogFilter } from "../../../control/log-forward.js";
import { QUALITY_EVENT_SUBJECT } from "../../../quality/auditor.js";
import { STREAMS } from "../../../runtime/nats/spec.js";
import { VERIFY_EVENT_SUBJECT } from "../../../verify/verify-lake.js";
import type { VerifyReport } from "../../../verify/types.js";
import type { WebContext } from "../context.js";
import { Channel } from "../feeds/channel.js";
import { publicProcedure, router } from "../trpc.js";
import { lastEventIdSchema } from "./inputs.js";

function services(ctx: WebContext): ControlServices {
  const s = controlServicesFor(ctx.nc);
  if (!s) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "the control plane is not enabled on this web server" });
  return s;
}

function authorize(ctx: WebContext, s: ControlServices, command: string, args: string[]): { nodeToken: string; principal: string } {
  const d = s.auth.decide({ remoteAddress: ctx.caller?.remoteAddress ?? null, token: ctx.caller?.token ?? null });
  if (d.ok) return d;
  s.auditRefusal({ caller: `web@${ctx.caller?.remoteAddress ?? "unknown"}`, command, args, detail: d.reason });
  throw new TRPCError({ code: "UNAUTHORIZED", message: d.reason });
}

/** Whether this caller passes the admin gate of the commands (token, admin session, or loopback without ADMIN_TOKENS). */
function isAdmin(ctx: WebContext, s: ControlServices): boolean {
  return s.auth.decide({ remoteAddress: ctx.caller?.remoteAddress ?? null, token: ctx.caller?.token ?? null }).ok;
}

/**
 * Admin-only reads (see control/admin-reads.ts) pass the commands' gate or are FORBIDDEN with a
 * message naming what is admin only. Not audited: a read changes nothing, and a viewer's page
 * would fill the trail.
 */
function requireAdminRead(ctx: WebContext, s: ControlServices, what: string): void {
  const d = s.auth.decide({ remoteAddress: ctx.caller?.remoteAddress ?? null, token: ctx.caller?.token ?? null });
  if (!d.ok) throw new TRPCError({ code: "FORBIDDEN", message: `${what} is admin only (${d.reason}): sign in with an admin token on the Control page, or send x-admin-token` });
}

function unavailable(err: unknown, what: string): never {
  if (err instanceof TRPCError) throw err;
  throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: `${what}: ${(err as Error).message}`, cause: err });
}

const levelSchema = z.enum(["debug", "info", "warn", "error"]);
const logFilterSchema = z.object({
  level: levelSchema.optional(),
  components: z.array(z.string().max(100)).max(50).optional(),
  nodes: z.array(z.string().max(100)).max(50).optional(),
  text: z.string().max(200).optional(),
});
const streamSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "stream names are letters, digits, - and _");
const subjectSchema = z.string().regex(/^[A-Za-z0-9_.*>-]{1,200}$/, "a NATS subject (wildcards * and > allowed)");
const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const controlRouter = router({
  /** Whether mutations need a token here, and whether this caller is allowed. */
  access: publicProcedure.query(({ ctx }) => {
    const s = services(ctx);
    const d = s.auth.decide({ remoteAddress: ctx.caller?.remoteAddress ?? null, token: ctx.caller?.token ?? null });
    return { localOnly: s.auth.localOnly, allowed: d.ok, reason: d.ok ? null : d.reason };
  }),

  /** The commands each node answers. */
  commands: publicProcedure.query(async ({ ctx }) => {
    const s = services(ctx);
    const d = s.auth.decide({ remoteAddress: ctx.caller?.remoteAddress ?? null, token: ctx.caller?.token ?? null });
    try {
      return { nodes: await discoverCommands(s.nc, d.ok ? d.nodeToken : undefined), error: null };
    } catch (err) {
      if (err instanceof NoAdminReply) return { nodes: [], error: err.message };
      return unavailable(err, "listing commands");
    }
  }),

  /** Runs an admin command on every node (or one): token or loopback required; audited by the nodes. */
  run: publicProcedure
    .input(z.object({ command: tokenSchema, args: z.array(z.string().max(500)).max(50).default([]), nodeId: tokenSchema.optional(), timeoutMs: z.number().int().min(500).max(600_000).optional() }))
    .mutation(async ({ ctx, input }): Promise<{ replies: AdminReply[] }> => {
      const s = services(ctx);
      const { nodeToken, principal } = authorize(ctx, s, input.command, input.args);
      if (input.nodeId !== undefined && !isSubjectToken(input.nodeId)) throw new TRPCError({ code: "BAD_REQUEST", message: "bad node id" });
      const audit = { caller: principal, command: input.command, args: input.args };
      try {
        const replies = await callAdmin(s.nc, input.command, input.args, { token: nodeToken, onBehalfOf: principal, nodeId: input.nodeId, timeoutMs: input.timeoutMs ?? 10_000, stallMs: 500 });
        const ok = replies.filter((r) => r.ok).length;
        s.auditForwarded({ ...audit, result: ok === replies.length ? "ok" : "failed", detail: `forwarded to ${replies.length} node(s), ${ok} ok` });
        return { replies };
      } catch (err) {
        s.auditForwarded({ ...audit, result: "failed", detail: `forwarding failed: ${(err as Error).message}` });
        if (err instanceof NoAdminReply) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: err.message, cause: err });
        return unavailable(err, `running ${input.command}`);
      }
    }),

  /** The audit trail (PostgreSQL), newest first. Admin only: it names callers' addresses and key ids. */
  audit: publicProcedure.input(z.object({ limit: z.number().int().min(1).max(1000).default(100) }).default({ limit: 100 })).query(async ({ ctx, input }) => {
    const s = services(ctx);
    requireAdminRead(ctx, s, "the audit trail");
    if (!s.db) return { entries: [], note: "no database on this web server: the audit trail is in the AUDIT stream (audit.admin.>)" };
    try {
      const rows = await listAudit(s.db, input.limit);
      return { entries: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })), note: null };
    } catch (err) {
      return unavailable(err, "reading the audit trail");
    }
  }),

  /** Quality reports: from PostgreSQL, or the last ones published on the EVENTS stream. */
  qualityReports: publicProcedure.input(z.object({ limit: z.number().int().min(1).max(200).default(20) }).default({ limit: 20 })).query(async ({ ctx, input }) => {
    const s = services(ctx);
    try {
      if (s.db) {
        const rows = await listQualityReports(s.db, input.limit);
        return rows.map((r) => ({ reportId: r.reportId, status: String((r.summary as { status?: string }).status ?? r.status), trigger: r.triggeredBy, startedAt: new Date(r.startedAt).getTime(), finishedAt: r.finishedAt ? new Date(r.finishedAt).getTime() : null, rowsChecked: r.rowsChecked, rowsFailed: r.rowsFailed, summary: r.summary }));
      }
      const msgs = await lastMessages(s.jsm, s.js, { stream: STREAMS.events, subject: QUALITY_EVENT_SUBJECT, limit: input.limit, maxBytes: 256 * 1024 });
      return msgs.reverse().map((m) => {
        const r = JSON.parse(m.data) as { reportId: string; status: string; trigger: string; startedAt: number; finishedAt: number; rowsChecked: number; rowsFailed: number };
        return { reportId: r.reportId, status: r.status, trigger: r.trigger, startedAt: r.startedAt, finishedAt: r.finishedAt, rowsChecked: r.rowsChecked, rowsFailed: r.rowsFailed, summary: r as unknown as Record<string, unknown> };
      });
    } catch (err) {
      if (/stream not found/i.test((err as Error).message)) return [];
      return unavailable(err, "reading quality reports");
    }
  }),

  /** The last reconciliation (`admin verify`, or the quality gate's), from the EVENTS stream; null before the first. */
  lastVerify: publicProcedure.query(async ({ ctx }): Promise<VerifyReport | null> => {
    const s = services(ctx);
    try {
      const [m] = await lastMessages(s.jsm, s.js, { stream: STREAMS.events, subject: VERIFY_EVENT_SUBJECT, limit: 1, maxBytes: 8 * 1024 * 1024 });
      return m ? (JSON.parse(m.data) as VerifyReport) : null;
    } catch (err) {
      if (/stream not found/i.test((err as Error).message)) return null;
      return unavailable(err, "reading the last verify report");
    }
  }),

  /** The tail's recent lines (oldest first) and the components/nodes seen, for the filters. */
  logs: publicProcedure.input(z.object({ filter: logFilterSchema.default({}), limit: z.number().int().min(1).max(2000).default(300) }).default({ filter: {}, limit: 300 })).query(({ ctx, input }) => {
    const s = services(ctx);
    return { entries: s.logs.recent(input.filter, input.limit), facets: s.logs.facets() };
  }),

  /** Live log lines of every node matching the filter; resumable by id within this server. */
  logs$: publicProcedure.input(z.object({ filter: logFilterSchema.default({}), lastEventId: lastEventIdSchema })).subscription(async function* ({ ctx, input, signal }) {
    const s = services(ctx);
    const channel = new Channel<LogEntry>(1000, signal);
    const unlisten = s.logs.listen((e) => channel.push(e));
    try {
      const after = input.lastEventId ? Number(input.lastEventId) : 0;
      let last = after;
      for (const e of s.logs.recent(input.filter, after > 0 ? 2000 : 200, after)) {
        last = e.id;
        yield tracked(String(e.id), e.record);
      }
      for await (const e of channel) {
        if (e.id <= last) continue;
        if (!matchesLogFilter(e.record, input.filter)) continue;
        last = e.id;
        yield tracked(String(e.id), e.record);
      }
    } finally {
      unlisten();
      channel.close();
    }
  }),

  /** Streams (with whether their messages are admin only) and consumers (pending, ack pending, ack lag, redeliveries). */
  streams: publicProcedure.query(async ({ ctx }) => {
    const s = services(ctx);
    try {
      const streams = (await listStreams(s.jsm)).map((v) => ({ ...v, adminOnly: adminOnlyStream(v.name) !== null }));
      return { streams, consumers: await listConsumers(s.jsm) };
    } catch (err) {
      return unavailable(err, "listing streams");
    }
  }),

  /** A stream's subjects; KV bucket keys and the audit trail's are admin only, like their messages. */
  subjects: publicProcedure.input(z.object({ stream: streamSchema })).query(async ({ ctx, input }) => {
    const s = services(ctx);
    const what = input.stream === STREAMS.dlq ? null : adminOnlyStream(input.stream);
    if (what !== null) requireAdminRead(ctx, s, what);
    try {
      return await streamSubjects(s.jsm, input.stream);
    } catch (err) {
      return unavailable(err, `listing the subjects of ${input.stream}`);
    }
  }),

  /** The last messages of a subject (newest first); those of admin-only streams and subjects need admin. */
  messages: publicProcedure.input(z.object({ stream: streamSchema, subject: subjectSchema, limit: z.number().int().min(1).max(200).default(20) })).query(async ({ ctx, input }) => {
    const s = services(ctx);
    const what = adminOnlyMessages(input.stream, input.subject);
    if (what !== null) requireAdminRead(ctx, s, what);
    try {
      return (await subjectMessages(s.jsm, s.js, input.stream, input.subject, input.limit)).reverse();
    } catch (err) {
      return unavailable(err, `reading ${input.subject}`);
    }
  }),

  /**
   * The dead-letter stream with reasons, newest first. The rejected records themselves (payload
   * and headers) are admin only: a viewer gets each entry's subject, time, size and reason.
   */
  deadLetters: publicProcedure.input(z.object({ limit: z.number().int().min(1).max(500).default(50) }).default({ limit: 50 })).query(async ({ ctx, input }) => {
    const s = services(ctx);
    const admin = isAdmin(ctx, s);
    try {
      const entries = await deadLetters(s.jsm, s.js, input.limit);
      return entries.map((e) => (admin ? { ...e, payloadHidden: false } : { ...e, data: "", headers: {}, truncated: false, payloadHidden: true }));
    } catch (err) {
      return unavailable(err, "reading the dead-letter stream");
    }
  }),

  /** Lake tables (custom sources included) with row counts. */
  tables: publicProcedure.query(async ({ ctx }) => {
    const s = services(ctx);
    if (!s.lake) return { tables: [], note: "no lake configured on this web server" };
    try {
      return { tables: await listTables(s.lake), note: null };
    } catch (err) {
      return unavailable(err, "listing lake tables");
    }
  }),

  /** One table: summary, schema history, latest rows. */
  table: publicProcedure.input(z.object({ name: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/), limit: z.number().int().min(1).max(200).default(20) })).query(async ({ ctx, input }) => {
    const s = services(ctx);
    if (!s.lake) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "no lake configured on this web server" });
    try {
      if (!(await s.lake.exists(input.name))) throw new TRPCError({ code: "NOT_FOUND", message: `no lake table "${input.name}"` });
      const table = s.lake.table(input.name);
      return { summary: await summarizeTable(s.lake, input.name), schemaHistory: await schemaHistory(table), rows: await latestRows(table, input.limit) };
    } catch (err) {
      return unavailable(err, `reading table ${input.name}`);
    }
  }),
});
