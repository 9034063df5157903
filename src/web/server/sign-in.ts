/**
 * Signing in with a token: `POST /auth/session {"token": "..."}` (JSON, from the server's own
 * origin) answers 204 with an HttpOnly, SameSite=Strict cookie naming a new random session; a
 * read token opens a read session, an admin token an admin session that keeps the token
 * server-side (the Control and MLOps pages sign admin commands through it). `GET /auth/session`
 * says whether this browser is signed in and as admin; `DELETE /auth/session` ends the session,
 * `DELETE /auth/session?scope=admin` forgets only its admin token. Pages asked for without
 * access get a small sign-in form instead of the app.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FailureLimit } from "./failure-limit.js";
import { cookieOf, SESSION_COOKIE, type ReadAccess } from "./read-access.js";
import type { Refusal } from "./request-policy.js";

export const SESSION_PATH = "/auth/session";
const MAX_SIGN_IN_BODY = 4096;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

async function readSmallBody(req: IncomingMessage): Promise<string | null> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_SIGN_IN_BODY) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function cookie(req: IncomingMessage, value: string, maxAgeSeconds: number): string {
  const secure = req.headers["x-forwarded-proto"] === "https" ? "; Secure" : "";
  return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure}`;
}

/**
 * `/auth/session`; `refusal` is the Host / Origin / JSON gate's verdict on this request. A wrong
 * token counts against the caller's address in `failures`; past the limit every sign-in from it
 * gets 429 with Retry-After, a right token too.
 */
export async function handleSession(req: IncomingMessage, res: ServerResponse, access: ReadAccess, failures: FailureLimit, refusal: Refusal | null): Promise<void> {
  if (refusal) return json(res, refusal.status, { error: refusal.code, message: refusal.message });
  const current = cookieOf(req.headers.cookie, SESSION_COOKIE);
  if (req.method === "GET") return json(res, 200, { ...access.sessionState(req), canSignIn: access.canSignIn, adminTokens: access.adminTokensConfigured });
  if (req.method === "DELETE") {
    if (new URL(req.url ?? "/", "http://x").searchParams.get("scope") === "admin") {
      access.closeSession(current, true);
      res.writeHead(204).end();
      return;
    }
    access.closeSession(current);
    res.writeHead(204, { "set-cookie": cookie(req, "", 0) }).end();
    return;
  }
  if (req.method !== "POST") return json(res, 405, { error: "method_not_allowed" }, { allow: "GET, POST, DELETE" });
  const from = req.socket?.remoteAddress;
  const verdict = failures.check(from);
  if (!verdict.ok) {
    req.resume();
    return json(res, 429, { error: "too_many_attempts", message: `too many failed sign-ins from this address: try again in ${verdict.retryAfterSeconds} s` }, { "retry-after": String(verdict.retryAfterSeconds) });
  }
  if (!access.canSignIn) return json(res, 409, { error: "no_tokens", message: "no READ_TOKENS or ADMIN_TOKENS are configured: this server answers this machine without signing in" });
  const text = await readSmallBody(req);
  if (text === null) return json(res, 413, { error: "too_large", message: `a sign-in body is at most ${MAX_SIGN_IN_BODY} bytes` }, { connection: "close" });
  let token: unknown;
  try {
    token = (JSON.parse(text) as { token?: unknown }).token;
  } catch {
    return json(res, 400, { error: "invalid_body", message: 'expected {"token": "..."}' });
  }
  if (typeof token !== "string" || token.trim() === "") return json(res, 400, { error: "invalid_body", message: 'expected {"token": "..."}' });
  const session = access.openSession(token.trim());
  if (session === null) {
    failures.fail(from);
    return json(res, 401, { error: "unauthorized", message: access.tokensRequired ? "the token is not valid" : "the admin token is not valid" });
  }
  // A new id on every sign-in: the previous session (maybe a read-only one) ends.
  access.closeSession(current);
  res.writeHead(204, { "set-cookie": cookie(req, session.id, access.sessionTtlSeconds) }).end();
}

/** The page served instead of the app to a browser without access. */
export function signInPage(message: string, canSignIn: boolean): string {
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const form = canSignIn
    ? `<form id="sign-in" data-testid="sign-in">
  <label>Read token <input name="token" type="password" autocomplete="current-password" required autofocus></label>
  <button type="submit">Sign in</button>
  <p id="error" role="alert" data-testid="sign-in-error"></p>
</form>
<script>
document.getElementById("sign-in").addEventListener("submit", async (e) => {
  e.preventDefault();
  const token = new FormData(e.target).get("token");
  const r = await fetch(${JSON.stringify(SESSION_PATH)}, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) });
  if (r.status === 204) location.reload();
  else document.getElementById("error").textContent = (await r.json().catch(() => ({}))).message || "sign-in failed (" + r.status + ")";
});
</script>`
    : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tickhouse — sign in</title>
<style>body{font:15px system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}input{font:inherit;width:100%;margin:.4rem 0}button{font:inherit}</style>
</head><body><h1>tickhouse</h1><p data-testid="access-message">${escape(message)}</p>${form}</body></html>`;
}
