import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ReplayGuard } from "./replay-guard.js";
import { AdminKey, checkSignature, type SignedFields } from "./signing.js";

export const DEFAULT_ADMIN_MAX_SKEW_MS = 30_000;

export type AdminVerdict = { ok: true; keyId: string } | { ok: false; reason: string };

/**
 * Who may run admin commands. With tokens configured, a request must be signed with a key
 * derived from one of them. With none configured there is no default secret: the node uses a
 * random token kept in a file under its data directory (mode 0600), which only users of this
 * machine can read — so admin commands then work only from the local machine. Either way the
 * token itself never travels (see signing.ts); stale and replayed requests are refused.
 */
export class AdminAuth {
  readonly #keys: AdminKey[];
  readonly #replays: ReplayGuard;
  readonly localOnly: boolean;

  private constructor(tokens: string[], localOnly: boolean, maxSkewMs: number, startedAt: number) {
    this.#keys = tokens.map((t) => AdminKey.fromToken(t));
    // Nonces seen by a previous process are gone: refuse what was signed before this one started.
    this.#replays = new ReplayGuard({ skewMs: maxSkewMs, notBefore: startedAt });
    this.localOnly = localOnly;
  }

  static fromConfig(adminTokens: string[], dataDir: string, maxSkewMs = DEFAULT_ADMIN_MAX_SKEW_MS, startedAt = Date.now()): AdminAuth {
    if (adminTokens.length > 0) return new AdminAuth(adminTokens, false, maxSkewMs, startedAt);
    return new AdminAuth([localAdminToken(dataDir)], true, maxSkewMs, startedAt);
  }

  /**
   * Accepts a request signed by a known key, for this command and this node (or "*"), fresh and
   * never seen. The signature is checked before the nonce is remembered, so forged requests cannot
   * fill the replay memory.
   */
  verify(request: SignedFields, expected: { command: string; target: string }, now: number): AdminVerdict {
    if (request.command !== expected.command) return { ok: false, reason: `signed for command "${request.command}", received on "${expected.command}"` };
    if (request.target !== expected.target) return { ok: false, reason: `signed for target "${request.target}", received for "${expected.target}"` };
    const signature = checkSignature(this.#keys, request);
    if (!signature.ok) return signature;
    const fresh = this.#replays.admit(request.nonce, request.ts, now);
    return fresh.ok ? { ok: true, keyId: signature.key.id } : fresh;
  }
}

export function localTokenPath(dataDir: string): string {
  return join(dataDir, "admin.token");
}

/** Reads the machine-local admin token, creating it (exclusively, 0600) if absent. */
export function localAdminToken(dataDir: string): string {
  const path = localTokenPath(dataDir);
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    mkdirSync(dirname(path), { recursive: true });
    const token = randomBytes(24).toString("base64url");
    try {
      writeFileSync(path, token + "\n", { mode: 0o600, flag: "wx" });
      return token;
    } catch {
      return readFileSync(path, "utf8").trim(); // another node on this machine created it first
    }
  }
}
