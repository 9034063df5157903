/**
 * Credentials of the nats-server a node starts itself: an NKey user whose seed is generated once
 * into `DATA_DIR/nats/client.nk` (mode 0600, so only this machine's user can read it) and whose
 * public key the server's config file admits. With an NKey nothing secret crosses the connection
 * (the client signs the server's nonce), so a process that answers on the port first learns
 * nothing it could reuse.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { nkeys } from "@nats-io/nats-core";

export interface EmbeddedNatsAuth {
  /** The NKey user seed (absolute path): NATS_CREDS for other clients, `nats --nkey` for the CLI. */
  seedFile: string;
  /** nats-server config with the authorization block (`-c`). */
  configFile: string;
  /** True when the seed was generated just now (tell the operator how to use it, once). */
  created: boolean;
}

export function embeddedNatsSeedPath(dataDir: string): string {
  return resolve(join(dataDir, "nats", "client.nk"));
}

function readSeed(path: string): Uint8Array {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) chmodSync(path, 0o600); // a copy or an umask widened it: only the owner may read a key
  return new TextEncoder().encode(readFileSync(path, "utf8").trim());
}

/** Reads the seed, generating it (exclusively, 0600) if absent, and writes the server's config for it. */
export function ensureEmbeddedNatsAuth(dataDir: string): EmbeddedNatsAuth {
  const seedFile = embeddedNatsSeedPath(dataDir);
  mkdirSync(join(dataDir, "nats"), { recursive: true });
  let created = false;
  let seed: Uint8Array;
  try {
    seed = readSeed(seedFile);
  } catch {
    const user = nkeys.createUser();
    try {
      writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()) + "\n", { mode: 0o600, flag: "wx" });
      created = true;
    } catch {
      // another node on this machine created it first
    }
    seed = readSeed(seedFile);
  }
  const publicKey = nkeys.fromSeed(seed).getPublicKey();
  const configFile = resolve(join(dataDir, "nats", "auth.conf"));
  writeFileSync(configFile, `# written by tickhouse at each start: the NKey user of ${seedFile}\nauthorization {\n  users = [ { nkey: "${publicKey}" } ]\n}\n`, { mode: 0o600 });
  return { seedFile, configFile, created };
}

/** How another client on this machine connects (printed when the seed is generated). */
export function embeddedNatsInstructions(url: string, seedFile: string): string {
  return (
    `the embedded NATS server requires authentication: its NKey credentials are in ${seedFile} (mode 0600). ` +
    `Nodes and tools on this machine with this DATA_DIR use them by themselves; elsewhere set NATS_CREDS=${seedFile}. ` +
    `With the nats CLI: nats --server ${url} --nkey ${seedFile} sub '>'`
  );
}
