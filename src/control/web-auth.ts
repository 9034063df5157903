/**
 * Who may run control-plane mutations through the web server. With ADMIN_TOKENS configured, the
 * request must carry one (`x-admin-token: T` or `authorization: Bearer T`); the server signs the
 * command to the nodes with it (the token itself is not sent on NATS). With none configured there
 * is no default secret: only requests from the loopback address are accepted, and the server signs
 * with the machine-local token file (`DATA_DIR/admin.token`). Behind a reverse proxy on the same machine every request looks
 * local: configure ADMIN_TOKENS there.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { localAdminToken } from "../admin/auth.js";
import { AdminKey } from "../admin/signing.js";

export interface RequestInfo {
  remoteAddress: string | null;
  token: string | null;
}

export type AuthDecision = { ok: true; nodeToken: string; principal: string } | { ok: false; reason: string };

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function isLoopback(address: string | null): boolean {
  return address !== null && LOOPBACK.has(address);
}

/** Reads the caller's address and token from an HTTP request (or a WebSocket upgrade). */
export function requestInfo(req: IncomingMessage | undefined): RequestInfo {
  if (!req) return { remoteAddress: null, token: null };
  const header = req.headers["x-admin-token"];
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  const token = (Array.isArray(header) ? header[0] : header) ?? bearer ?? null;
  return { remoteAddress: req.socket?.remoteAddress ?? null, token: token && token.trim() ? token.trim() : null };
}

/** A short, non-reversible name for a token in the audit trail: the start of its signing key's id (the nodes audit the whole id). */
export function tokenFingerprint(token: string): string {
  return AdminKey.fromToken(token).id.slice(0, 8);
}

export class ControlAuth {
  readonly #tokens: Buffer[];
  readonly #dataDir: string;

  constructor(adminTokens: readonly string[], dataDir: string) {
    this.#tokens = adminTokens.filter((t) => t.length > 0).map((t) => Buffer.from(t));
    this.#dataDir = dataDir;
  }

  get localOnly(): boolean {
    return this.#tokens.length === 0;
  }

  decide(req: RequestInfo): AuthDecision {
    const from = req.remoteAddress ?? "unknown";
    if (this.localOnly) {
      if (!isLoopback(req.remoteAddress)) return { ok: false, reason: `no ADMIN_TOKENS are configured, so control-plane commands are accepted only from this machine (request from ${from})` };
      return { ok: true, nodeToken: localAdminToken(this.#dataDir), principal: `web:local@${from}` };
    }
    if (!req.token) return { ok: false, reason: "an admin token is required (x-admin-token header)" };
    const given = Buffer.from(req.token);
    let ok = false;
    for (const t of this.#tokens) if (t.length === given.length && timingSafeEqual(t, given)) ok = true;
    if (!ok) return { ok: false, reason: "the admin token is not valid" };
    return { ok: true, nodeToken: req.token, principal: `web:token-${tokenFingerprint(req.token)}@${from}` };
  }
}
