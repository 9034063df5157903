/**
 * The browser's session at /auth/session (HttpOnly cookie, see src/web/server/sign-in.ts): an
 * admin token typed once is posted there and the server keeps it; admin mutations then carry no
 * token at all. The page never stores a token (no localStorage / sessionStorage / readable
 * cookie).
 */
const SESSION_PATH = "/auth/session";
/** Fired on `window` after this page signs in or forgets the admin token, so other parts (the header's "Sign out") re-read the state. */
export const SESSION_CHANGED = "tickhouse:session";
const changed = () => window.dispatchEvent(new Event(SESSION_CHANGED));

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
  changed();
}

/** Forgets the session's admin token (a read session stays signed in). */
export async function forgetAdmin(): Promise<void> {
  const r = await fetch(`${SESSION_PATH}?scope=admin`, { method: "DELETE" });
  if (r.status !== 204) throw await failure(r, "signing out");
  changed();
}

/** Ends the session (read and admin); the server clears the cookie. */
export async function signOut(): Promise<void> {
  const r = await fetch(SESSION_PATH, { method: "DELETE" });
  if (r.status !== 204) throw await failure(r, "signing out");
}
