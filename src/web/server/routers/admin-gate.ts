/**
 * Admin mutations from the web: the caller needs an admin token (input or `x-admin-token`
 * header) from ADMIN_TOKENS; with none configured, only loopback callers (127.0.0.1 / ::1) are
 * accepted and the node's machine-local token is used. The command then goes to the nodes' admin
 * endpoint over NATS, which checks the token again and audits it.
 */
import { timingSafeEqual } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { callAdmin, NoAdminReply } from "../../../admin/client.js";
import type { AdminReply } from "../../../admin/protocol.js";
import { controlServicesFor } from "../../../control/web-services.js";
import { tokenFingerprint } from "../../../control/web-auth.js";
import type { WebContext } from "../context.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whom the web server acts for, and the token it signs with (never sent: the request is signed). */
export interface AdminCaller {
  token: string;
  /** The person as the web server authenticated them, e.g. `web:token-1a2b3c4d@10.0.0.7`; signed and audited by the nodes. */
  principal: string;
}

/**
 * The token to sign with for this caller, and who they are, or UNAUTHORIZED / FORBIDDEN. The gate is the server's
 * `admin` option, else the control plane's auth when its services run on this server (one
 * policy for every admin mutation; refusals then go to the audit trail too).
 */
export function adminTokenFor(ctx: WebContext, inputToken?: string | null, command = "admin"): AdminCaller {
  const token = inputToken || ctx.caller?.token;
  const from = ctx.caller?.remoteAddress ?? "unknown";
  // A token in the input is a guess the server's gate did not see (it counts token headers).
  const attempts = inputToken ? ctx.tokenAttempts : undefined;
  const verdict = attempts?.check(from);
  if (verdict && !verdict.ok) throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: `too many failed token attempts from this address: try again in ${verdict.retryAfterSeconds} s` });
  try {
    return callerFor(ctx, token, from, command);
  } catch (err) {
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") attempts?.fail(from);
    throw err;
  }
}

/** Whether this caller passes the admin gate (token, admin session, or loopback without ADMIN_TOKENS): for admin-only reads, which are not audited. */
export function isAdminCaller(ctx: WebContext): boolean {
  try {
    callerFor(ctx, ctx.caller?.token, ctx.caller?.remoteAddress ?? "unknown", "read", false);
    return true;
  } catch {
    return false;
  }
}

function callerFor(ctx: WebContext, token: string | undefined, from: string, command: string, auditRefusal = true): AdminCaller {
  const gate = ctx.admin;
  if (gate === undefined) {
    const control = controlServicesFor(ctx.nc);
    if (control === undefined) throw new TRPCError({ code: "FORBIDDEN", message: "admin actions are not enabled on this web server" });
    const d = control.auth.decide({ remoteAddress: ctx.caller?.remoteAddress ?? null, token: token ?? null });
    if (d.ok) return { token: d.nodeToken, principal: d.principal };
    if (auditRefusal) control.auditRefusal({ caller: `web@${ctx.caller?.remoteAddress ?? "unknown"}`, command, args: [], detail: d.reason });
    throw new TRPCError({ code: "UNAUTHORIZED", message: d.reason });
  }
  if (gate.tokens.length > 0) {
    if (!token || !gate.tokens.some((t) => sameToken(t, token))) throw new TRPCError({ code: "UNAUTHORIZED", message: "an admin token from ADMIN_TOKENS is required" });
    return { token, principal: `web:token-${tokenFingerprint(token)}@${from}` };
  }
  if (!LOOPBACK.has(ctx.caller?.remoteAddress ?? "")) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "no ADMIN_TOKENS are configured, so admin actions are accepted only from this machine (127.0.0.1 / ::1)" });
  }
  if (!gate.localToken) throw new TRPCError({ code: "FORBIDDEN", message: "this web server has no local admin token to act with" });
  return { token: gate.localToken, principal: `web:local@${from}` };
}

/** Runs an admin command on the nodes; a node's refusal becomes BAD_REQUEST / UNAUTHORIZED with its message. */
export async function runAdmin(ctx: WebContext, command: string, args: string[], caller: AdminCaller, timeoutMs = 10_000): Promise<AdminReply[]> {
  let replies: AdminReply[];
  try {
    replies = await callAdmin(ctx.nc, command, args, { token: caller.token, onBehalfOf: caller.principal, timeoutMs, stallMs: Math.min(timeoutMs, 2_000) });
  } catch (err) {
    if (err instanceof NoAdminReply) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: err.message, cause: err });
    throw err;
  }
  const refused = replies.find((r) => !r.ok);
  if (refused && !refused.ok) {
    throw new TRPCError({ code: refused.code === "unauthorized" ? "UNAUTHORIZED" : refused.code === "failed" ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST", message: `${refused.nodeId}: ${refused.error}` });
  }
  return replies;
}
