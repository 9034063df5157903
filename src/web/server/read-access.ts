/**
 * Who may read through the web server (the API, its WebSocket and the dashboard's pages).
 * - READ_TOKENS set: every caller needs a read token (an admin token also reads), as
 *   `Authorization: Bearer T` or through a session: the browser posts the token once to
 *   /auth/session and holds an HttpOnly, SameSite=Strict cookie naming a random session id
 *   afterwards, so the token itself is not sent around again.
 * - None set: only this machine (a loopback caller) reads, as for admin commands. Behind a
 *   reverse proxy on the same machine every request looks local: configure READ_TOKENS there.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isLoopback } from "../../control/web-auth.js";

export const SESSION_COOKIE = "tickhouse_session";

export type ReadDecision = { ok: true } | { ok: false; status: 401 | 403; message: string };

export interface ReadAccessOptions {
  /** READ_TOKENS. Empty: loopback callers only. */
  readTokens: readonly string[];
  /** ADMIN_TOKENS: whoever may run commands may read too. */
  adminTokens?: readonly string[];
  /** How long a session lasts after the token was typed. Default 12 h. */
  sessionTtlMs?: number;
  /** Sessions kept at most; the oldest goes first. Default 10,000. */
  maxSessions?: number;
  now?: () => number;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** The caller's bearer token (Authorization header), if any. */
function bearerOf(req: IncomingMessage): string | null {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
  return m ? m[1]!.trim() : null;
}

/** The control page's `x-admin-token` header: an admin token reads too. */
function adminHeaderOf(req: IncomingMessage): string | null {
  const h = req.headers["x-admin-token"];
  const v = Array.isArray(h) ? h[0] : h;
  return v && v.trim() ? v.trim() : null;
}

/** One cookie's value from the Cookie header. */
export function cookieOf(header: string | undefined, name: string): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export class ReadAccess {
  readonly #tokens: Buffer[];
  readonly #ttlMs: number;
  readonly #maxSessions: number;
  readonly #now: () => number;
  /** Session id → expiry (ms); insertion order is age order. */
  readonly #sessions = new Map<string, number>();

  constructor(o: ReadAccessOptions) {
    const read = o.readTokens.filter((t) => t.length > 0);
    this.#tokens = read.length === 0 ? [] : [...read, ...(o.adminTokens ?? []).filter((t) => t.length > 0)].map(digest);
    this.#ttlMs = o.sessionTtlMs ?? 12 * 3_600_000;
    this.#maxSessions = o.maxSessions ?? 10_000;
    this.#now = o.now ?? Date.now;
  }

  /** Whether a read token is required (READ_TOKENS set); otherwise reads are local-only. */
  get tokensRequired(): boolean {
    return this.#tokens.length > 0;
  }

  validToken(token: string): boolean {
    const d = digest(token);
    let ok = false;
    for (const t of this.#tokens) if (timingSafeEqual(t, d)) ok = true;
    return ok;
  }

  decide(req: IncomingMessage): ReadDecision {
    if (!this.tokensRequired) {
      const from = req.socket?.remoteAddress ?? null;
      if (isLoopback(from)) return { ok: true };
      return { ok: false, status: 403, message: `no READ_TOKENS are configured, so this server answers only this machine (request from ${from ?? "unknown"}); set READ_TOKENS to serve others` };
    }
    const bearer = bearerOf(req) ?? adminHeaderOf(req);
    if (bearer !== null) return this.validToken(bearer) ? { ok: true } : { ok: false, status: 401, message: "the read token is not valid" };
    const session = cookieOf(req.headers.cookie, SESSION_COOKIE);
    if (session !== null && this.#sessionValid(session)) return { ok: true };
    return { ok: false, status: 401, message: "a read token is required (Authorization: Bearer <token>, or sign in on the dashboard)" };
  }

  /** A new session id for a valid token, or null. */
  openSession(token: string): string | null {
    if (!this.tokensRequired || !this.validToken(token)) return null;
    const id = randomBytes(32).toString("base64url");
    this.#sessions.set(id, this.#now() + this.#ttlMs);
    while (this.#sessions.size > this.#maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!);
    return id;
  }

  closeSession(id: string | null): void {
    if (id !== null) this.#sessions.delete(id);
  }

  get sessionTtlSeconds(): number {
    return Math.floor(this.#ttlMs / 1000);
  }

  #sessionValid(id: string): boolean {
    const expires = this.#sessions.get(id);
    if (expires === undefined) return false;
    if (expires > this.#now()) return true;
    this.#sessions.delete(id);
    return false;
  }
}
