/**
 * How a client proves who it is to NATS: user and password (in the URL or apart), a token, a
 * creds file (user JWT + NKey seed) or a bare NKey seed file, and TLS (a CA to trust the server,
 * a client certificate). Secrets never reach a log line: URLs are shown with `redactUrlCredentials`.
 */
import { readFileSync } from "node:fs";
import { credsAuthenticator, nkeyAuthenticator, type Authenticator, type ConnectionOptions } from "@nats-io/nats-core";

export interface NatsCredentials {
  user?: string | undefined;
  pass?: string | undefined;
  token?: string | undefined;
  /** A `.creds` file (from `nsc` / `nats`), or a file holding an NKey user seed (`SU...`). */
  credsFile?: string | undefined;
  tls?: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined } | undefined;
}

export class NatsCredentialsInvalid extends Error {
  override readonly name = "NatsCredentialsInvalid";
  readonly retryable = false;
}

const WITH_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@(.*)$/i;

/** Pure: the URL with its password (or a bare token in the user part) replaced by ****. */
export function redactUrlCredentials(url: string): string {
  const match = WITH_USERINFO.exec(url.trim());
  if (!match) return url;
  const [, scheme, userinfo, rest] = match;
  const colon = userinfo!.indexOf(":");
  return `${scheme}${colon >= 0 ? `${userinfo!.slice(0, colon)}:****` : "****"}@${rest}`;
}

/**
 * Pure: server URLs without their user info, and the credentials that user info held
 * (`nats://user:pass@host` or `nats://token@host`, percent-decoded). Every URL that carries
 * credentials must carry the same ones.
 */
export function splitUrlCredentials(servers: readonly string[]): { servers: string[]; credentials: NatsCredentials } {
  let found: NatsCredentials | undefined;
  const bare = servers.map((server) => {
    const match = WITH_USERINFO.exec(server);
    if (!match) return server;
    const [, scheme, userinfo, rest] = match;
    const colon = userinfo!.indexOf(":");
    const here: NatsCredentials = colon >= 0 ? { user: decodeURIComponent(userinfo!.slice(0, colon)), pass: decodeURIComponent(userinfo!.slice(colon + 1)) } : { token: decodeURIComponent(userinfo!) };
    if (found && JSON.stringify(found) !== JSON.stringify(here)) throw new NatsCredentialsInvalid("NATS_URL: the servers carry different credentials; give them once (NATS_USER/NATS_PASSWORD) instead");
    found = here;
    return `${scheme}${rest}`;
  });
  return { servers: bare, credentials: found ?? {} };
}

/** Pure: URL credentials and explicit ones together, or a clear error when they say different things. */
export function mergeCredentials(fromUrl: NatsCredentials, explicit: NatsCredentials): NatsCredentials {
  const urlGives = fromUrl.user !== undefined || fromUrl.token !== undefined;
  const explicitGives = explicit.user !== undefined || explicit.token !== undefined || explicit.credsFile !== undefined;
  if (urlGives && explicitGives) throw new NatsCredentialsInvalid("NATS credentials are given both in NATS_URL and in NATS_USER / NATS_TOKEN / NATS_CREDS: keep one");
  const merged = { ...explicit, ...(urlGives ? fromUrl : {}) };
  const kinds = [merged.user !== undefined, merged.token !== undefined, merged.credsFile !== undefined].filter(Boolean).length;
  if (kinds > 1) throw new NatsCredentialsInvalid("give one kind of NATS credentials: a user and password, a token, or a creds file");
  if (merged.user !== undefined && merged.pass === undefined) throw new NatsCredentialsInvalid("a NATS user needs a password (NATS_PASSWORD)");
  if (merged.pass !== undefined && merged.user === undefined) throw new NatsCredentialsInvalid("a NATS password needs a user (NATS_USER)");
  if ((merged.tls?.certFile === undefined) !== (merged.tls?.keyFile === undefined)) throw new NatsCredentialsInvalid("a NATS client certificate needs both NATS_TLS_CERT and NATS_TLS_KEY");
  return merged;
}

/** Pure: whether any credentials or TLS settings are given. */
export function hasCredentials(c: NatsCredentials): boolean {
  return c.user !== undefined || c.token !== undefined || c.credsFile !== undefined || c.tls?.caFile !== undefined || c.tls?.certFile !== undefined;
}

/** Reads a creds or seed file each time NATS asks (so a rotated file is picked up on reconnect). */
function credsFileAuthenticator(path: string): Authenticator {
  const read = (): string => {
    try {
      return readFileSync(path, "utf8");
    } catch (cause) {
      throw new NatsCredentialsInvalid(`NATS_CREDS: cannot read ${path}: ${(cause as Error).message}`, { cause });
    }
  };
  const text = read();
  if (text.includes("-----BEGIN NATS USER JWT-----")) return credsAuthenticator(() => new TextEncoder().encode(read()));
  const seed = (t: string) => /^\s*(SU[A-Z2-7]{56})\s*$/m.exec(t)?.[1];
  if (!seed(text)) throw new NatsCredentialsInvalid(`NATS_CREDS: ${path} is neither a .creds file nor an NKey user seed (SU...)`);
  return nkeyAuthenticator(() => new TextEncoder().encode(seed(read()) ?? ""));
}

/** The nats.js connection options for these credentials. */
export function connectionAuthOptions(c: NatsCredentials): Partial<ConnectionOptions> {
  const tls = c.tls && (c.tls.caFile || c.tls.certFile) ? { tls: { ...(c.tls.caFile ? { caFile: c.tls.caFile } : {}), ...(c.tls.certFile ? { certFile: c.tls.certFile, keyFile: c.tls.keyFile! } : {}) } } : {};
  if (c.credsFile) return { authenticator: credsFileAuthenticator(c.credsFile), ...tls };
  if (c.token !== undefined) return { token: c.token, ...tls };
  if (c.user !== undefined) return { user: c.user, pass: c.pass ?? "", ...tls };
  return tls;
}
