import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect as tcpConnect } from "node:net";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { NatsCredentials } from "../runtime/nats/index.js";
import { embeddedNatsInstructions, embeddedNatsSeedPath, ensureEmbeddedNatsAuth } from "./embedded-nats-auth.js";

export class NatsUnavailable extends Error {
  override readonly name = "NatsUnavailable";
}

/** Where this node's NATS is: the URL, and the server process if we started one ourselves. */
export interface NatsEndpoint extends AsyncDisposable {
  url: string;
  embedded: ChildProcess | undefined;
  /** The embedded server's generated credentials (also for a local server when DATA_DIR holds them); undefined for NATS_URL. */
  credentials: NatsCredentials | undefined;
}

const DEFAULT_LOCAL = "nats://127.0.0.1:4222";

function canConnect(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port || 4222) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** Finds nats-server on PATH or in the usual Debian place. */
export function findNatsServer(pathEnv = process.env.PATH ?? ""): string | undefined {
  for (const dir of [...pathEnv.split(":"), "/usr/sbin", "/usr/local/bin"]) {
    if (!dir) continue;
    const candidate = join(dir, "nats-server");
    if (spawnSync(candidate, ["--version"], { stdio: "ignore" }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * NATS_URL given → use it. Otherwise use a server on 127.0.0.1:4222 if one answers (with the
 * credentials in DATA_DIR if there are some: it may be the one we started before), else start
 * nats-server with JetStream storage under `<dataDir>/nats` and authentication on (an NKey user
 * generated into DATA_DIR, see embedded-nats-auth.ts), else fail with instructions.
 */
export async function resolveNatsEndpoint(options: {
  configuredUrl: string;
  dataDir: string;
  localUrl?: string;
  serverBinary?: string | undefined;
  log?: (line: string) => void;
}): Promise<NatsEndpoint> {
  const log = options.log ?? (() => {});
  const none = async () => {};
  if (options.configuredUrl) return { url: options.configuredUrl, embedded: undefined, credentials: undefined, [Symbol.asyncDispose]: none };
  const localUrl = options.localUrl ?? DEFAULT_LOCAL;
  if (await canConnect(localUrl, 1000)) {
    const seedFile = embeddedNatsSeedPath(options.dataDir);
    const credentials = existsSync(seedFile) ? { credsFile: seedFile } : undefined;
    log(`using the NATS server at ${localUrl}${credentials ? ` with the credentials in ${seedFile}` : ""}`);
    return { url: localUrl, embedded: undefined, credentials, [Symbol.asyncDispose]: none };
  }
  const binary = options.serverBinary ?? findNatsServer();
  if (!binary) {
    throw new NatsUnavailable(
      `no NATS server answers at ${localUrl} and nats-server is not on PATH. ` +
        `Install it (Debian/Ubuntu: apt-get install nats-server; or https://github.com/nats-io/nats-server/releases) ` +
        `or set NATS_URL=nats://host:4222 to use an existing JetStream-enabled server.`,
    );
  }
  const { hostname, port } = new URL(localUrl);
  const storeDir = join(options.dataDir, "nats");
  mkdirSync(storeDir, { recursive: true });
  const auth = ensureEmbeddedNatsAuth(options.dataDir);
  log(`starting ${binary} on ${localUrl} with JetStream data in ${storeDir}, clients authenticated with the NKey in ${auth.seedFile}`);
  if (auth.created) log(embeddedNatsInstructions(localUrl, auth.seedFile));
  const child = spawn(binary, ["-c", auth.configFile, "-a", hostname, "-p", port || "4222", "-js", "-sd", storeDir], { stdio: "ignore" });
  const deadline = Date.now() + 15_000;
  while (!(await canConnect(localUrl, 500))) {
    if (child.exitCode !== null) throw new NatsUnavailable(`${binary} exited with code ${child.exitCode}; is the port taken?`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new NatsUnavailable(`${binary} did not start listening on ${localUrl} within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: localUrl,
    embedded: child,
    credentials: { credsFile: auth.seedFile },
    async [Symbol.asyncDispose]() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
