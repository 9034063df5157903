/**
 * Who may read through the web server (the API, its WebSocket and the dashboard's pages), and
 * the browser's sessions.
 * - READ_TOKENS set: every caller needs a read token (an admin token also reads), as
 *   `Authorization: Bearer T` or through a session: the browser posts the token once to
 *   /auth/session and holds an HttpOnly, SameSite=Strict cookie naming a random session id
 *   afterwards, so the token itself is not sent around again.
 * - None set: only this machine (a loopback caller) reads, as for admin commands. Behind a
 *   reverse proxy on the same machine every request looks local: configure READ_TOKENS there.
 * An admin token (ADMIN_TOKENS) typed once opens an admin session whatever READ_TOKENS says:
 * the session keeps the token server-side and the server signs admin commands with it.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isLoopback } from "../../control/web-auth.js";
import { SessionStore } from "./sessions.js";

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

/** What signing in with a token opened: a read session, or an admin session holding the token. */
export type SignIn = { id: string; admin: boolean };

const anyMatch = (digests: readonly Buffer[], token: string) => {
  const d = digest(token);
  let ok = false;
  for (const t of digests) if (timingSafeEqual(t, d)) ok = true;
  return ok;
};

export class ReadAccess {
  readonly #tokens: Buffer[];
  readonly #adminTokens: Buffer[];
  readonly #sessions: SessionStore;

  constructor(o: ReadAccessOptions) {
    const read = o.readTokens.filter((t) => t.length > 0);
    const admin = (o.adminTokens ?? []).filter((t) => t.length > 0);
    this.#tokens = read.length === 0 ? [] : [...read, ...admin].map(digest);
    this.#adminTokens = admin.map(digest);
    this.#sessions = new SessionStore({ ttlMs: o.sessionTtlMs, maxSessions: o.maxSessions, now: o.now });
  }

  /** Whether a token can be typed at all: READ_TOKENS or ADMIN_TOKENS are configured. */
  get canSignIn(): boolean {
    return this.tokensRequired || this.adminTokensConfigured;
  }

  /** Whether ADMIN_TOKENS are configured (otherwise admin commands come from this machine only, with no token). */
  get adminTokensConfigured(): boolean {
    return this.#adminTokens.length > 0;
  }

  /** Whether a read token is required (READ_TOKENS set); otherwise reads are local-only. */
  get tokensRequired(): boolean {
    return this.#tokens.length > 0;
  }

  validToken(token: string): boolean {
    return anyMatch(this.#tokens, token);
  }

  /** Whether the request carries a token header (bearer or `x-admin-token`) that the failed-attempt limit counts. */
  presentsToken(req: IncomingMessage): boolean {
    return bearerOf(req) !== null || adminHeaderOf(req) !== null;
  }

  /**
   * Whether a token header the request carries is wrong: the read credential (bearer, else `x-admin-token`) that is
   * no read or admin token (with READ_TOKENS), or an `x-admin-token` that is no admin token (with ADMIN_TOKENS). Each is
   * a guess the failed-attempt limit counts, whether it was meant for reading or for a command.
   */
  presentsBadToken(req: IncomingMessage): boolean {
    const admin = adminHeaderOf(req);
    // The read credential, as decide() takes it.
    const read = bearerOf(req) ?? admin;
    if (read !== null && this.tokensRequired && !this.validToken(read)) return true;
    return admin !== null && this.adminTokensConfigured && !anyMatch(this.#adminTokens, admin);
  }

  decide(req: IncomingMessage): ReadDecision {
    if (!this.tokensRequired) {
      const from = req.socket?.remoteAddress ?? null;
      if (isLoopback(from)) return { ok: true };
      return { ok: false, status: 403, message: `no READ_TOKENS are configured, so this server answers only this machine (request from ${from ?? "unknown"}); set READ_TOKENS to serve others` };
    }
    const bearer = bearerOf(req) ?? adminHeaderOf(req);
    if (bearer !== null) return this.validToken(bearer) ? { ok: true } : { ok: false, status: 401, message: "the read token is not valid" };
    const session = sessionIdOf(req);
    if (this.#sessions.get(session) !== null) return { ok: true };
    return { ok: false, status: 401, message: "a read token is required (Authorization: Bearer <token>, or sign in on the dashboard)" };
  }

  /** A new session for a valid token (an admin token opens an admin session), or null. */
  openSession(token: string): SignIn | null {
    if (anyMatch(this.#adminTokens, token)) return { id: this.#sessions.open(token), admin: true };
    if (!this.tokensRequired || !this.validToken(token)) return null;
    return { id: this.#sessions.open(), admin: false };
  }

  /** The admin token of the request's session, if it is an admin session. */
  sessionAdminToken(req: IncomingMessage): string | undefined {
    return this.#sessions.get(sessionIdOf(req))?.adminToken;
  }

  /** Whether the request's session is live, and whether it holds an admin token. */
  sessionState(req: IncomingMessage): { signedIn: boolean; admin: boolean } {
    const session = this.#sessions.get(sessionIdOf(req));
    return { signedIn: session !== null, admin: session?.adminToken !== undefined };
  }

  /** Ends the session, or with `adminOnly` forgets its admin token and keeps it for reads. */
  closeSession(id: string | null, adminOnly = false): void {
    if (adminOnly) this.#sessions.dropAdmin(id);
    else this.#sessions.close(id);
  }

  get sessionTtlSeconds(): number {
    return Math.floor(this.#sessions.ttlMs / 1000);
  }
}

function sessionIdOf(req: IncomingMessage): string | null {
  return cookieOf(req.headers.cookie, SESSION_COOKIE);
}
