import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Who may run admin commands. With tokens configured, a request must carry one of them. With
 * none configured there is no default secret: the node uses a random token kept in a file under
 * its data directory (mode 0600), which only users of this machine can read — so admin commands
 * then work only from the local machine.
 */
export class AdminAuth {
  readonly #tokens: Buffer[];
  readonly localOnly: boolean;

  private constructor(tokens: string[], localOnly: boolean) {
    this.#tokens = tokens.map((t) => Buffer.from(t));
    this.localOnly = localOnly;
  }

  static fromConfig(adminTokens: string[], dataDir: string): AdminAuth {
    if (adminTokens.length > 0) return new AdminAuth(adminTokens, false);
    return new AdminAuth([localAdminToken(dataDir)], true);
  }

  accepts(token: string | undefined): boolean {
    if (!token) return false;
    const given = Buffer.from(token);
    let ok = false;
    for (const t of this.#tokens) {
      if (t.length === given.length && timingSafeEqual(t, given)) ok = true;
    }
    return ok;
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
