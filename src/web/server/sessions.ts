/**
 * Browser sessions of the web server: a random id (the HttpOnly cookie's value) naming what the
 * person proved when they typed a token once. A read session lets the browser read; an admin
 * session also holds the admin token itself, server-side only, so the server can sign admin
 * commands on the person's behalf while the page never stores or resends it.
 */
import { randomBytes } from "node:crypto";

export interface Session {
  expiresAt: number;
  /** The admin token typed at sign-in; absent for a read session. Never leaves the server. */
  adminToken?: string | undefined;
}

export interface SessionStoreOptions {
  /** How long a session lasts after the token was typed. Default 12 h. */
  ttlMs?: number;
  /** Sessions kept at most; the oldest goes first. Default 10,000. */
  maxSessions?: number;
  now?: () => number;
}

export class SessionStore {
  readonly ttlMs: number;
  readonly #maxSessions: number;
  readonly #now: () => number;
  /** Session id → session; insertion order is age order. */
  readonly #sessions = new Map<string, Session>();

  constructor(o: SessionStoreOptions = {}) {
    this.ttlMs = o.ttlMs ?? 12 * 3_600_000;
    this.#maxSessions = o.maxSessions ?? 10_000;
    this.#now = o.now ?? Date.now;
  }

  /** A new session (a fresh id: signing in again never reuses the previous one). */
  open(adminToken?: string): string {
    const id = randomBytes(32).toString("base64url");
    this.#sessions.set(id, { expiresAt: this.#now() + this.ttlMs, ...(adminToken !== undefined ? { adminToken } : {}) });
    while (this.#sessions.size > this.#maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!);
    return id;
  }

  /** The live session of this id, or null (unknown or expired; an expired one is dropped). */
  get(id: string | null): Session | null {
    if (id === null) return null;
    const session = this.#sessions.get(id);
    if (session === undefined) return null;
    if (session.expiresAt > this.#now()) return session;
    this.#sessions.delete(id);
    return null;
  }

  /** Forgets the admin token of a session, which stays a read session. */
  dropAdmin(id: string | null): void {
    const session = this.get(id);
    if (session) delete session.adminToken;
  }

  close(id: string | null): void {
    if (id !== null) this.#sessions.delete(id);
  }
}
