/**
 * A private PostgreSQL server for outage tests: initdb into a temp dir, `postgres` on a free
 * loopback port, stopped and restarted by its own pid. Never touches the machine's server.
 * PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (spawn uid/gid).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../helpers/ports.js";
import { waitFor } from "../helpers/wait.js";

const BIN = process.env.PG_BIN_DIR ?? "/usr/lib/postgresql/15/bin";

export interface PrivatePostgres extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** Immediate shutdown (like a crash): connections drop, committed data survives. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const root = mkdtempSync(join(tmpdir(), "pg-private-"));
  const user = runAs();
  if (user) chownSync(root, user.uid, user.gid);
  const dataDir = join(root, "data");
  const init = spawnSync(join(BIN, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], {
    cwd: root,
    encoding: "utf8",
    ...(user ?? {}),
  });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status}): ${init.stderr}`);
  }
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    child = spawn(join(BIN, "postgres"), ["-D", dataDir, "-p", String(port), "-k", root, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      ...(user ?? {}),
    });
    child.stderr?.resume();
    await waitFor(() => accepts(url), { timeoutMs: 30_000, intervalMs: 100, what: `private postgres on ${port}` });
  }

  async function stop(): Promise<void> {
    if (!child) return;
    // SIGQUIT to the postmaster we started = immediate shutdown (crash-like, recovers from WAL on start).
    child.kill("SIGQUIT");
    await exited(child);
    child = undefined;
  }

  await start();
  return {
    url,
    port,
    stop,
    start,
    async [Symbol.asyncDispose]() {
      await stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
