/**
 * The browser's admin session: an admin token typed once is posted to /auth/session, and the
 * server keeps it (HttpOnly session cookie); admin mutations then carry no token at all. The
 * page never stores the token (no localStorage / sessionStorage / readable cookie).
 */
const SESSION_PATH = "/auth/session";

export interface SessionState {
  signedIn: boolean;
  /** This browser's session holds an admin token. */
  admin: boolean;
  /** ADMIN_TOKENS are configured; without them admin commands come from this machine only, with no token. */
  adminTokens: boolean;
}

async function failure(r: Response, what: string): Promise<Error> {
  const body = (await r.json().catch(() => ({}))) as { message?: string };
  return new Error(body.message ?? `${what} failed (${r.status})`);
}

export async function sessionState(): Promise<SessionState> {
  const r = await fetch(SESSION_PATH);
  if (!r.ok) throw await failure(r, "reading the session");
  return (await r.json()) as SessionState;
}

/** Exchanges the admin token for a server-side session; throws with the server's reason. */
export async function signInAdmin(token: string): Promise<void> {
  const r = await fetch(SESSION_PATH, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) });
  if (r.status !== 204) throw await failure(r, "signing in");
}

/** Forgets the session's admin token (a read session stays signed in). */
export async function forgetAdmin(): Promise<void> {
  const r = await fetch(`${SESSION_PATH}?scope=admin`, { method: "DELETE" });
  if (r.status !== 204) throw await failure(r, "signing out");
}
