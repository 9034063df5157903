// A private PostgreSQL server: initdb into a temp dir, `postgres` on a free loopback port, trust
// auth, stopped by its own pid and removed on dispose. `npm test` starts one when nothing answers
// on 127.0.0.1:5432; the outage tests (test/db/private-postgres.ts) stop and restart one.
// Never touches the machine's server. Plain Node: readiness is asked of pg_isready, not of a
// client library, so this runs without node_modules.
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The newest /usr/lib/postgresql/<version>/bin holding initdb, postgres and pg_isready, or undefined. */
export function findPostgresBinDir(env = process.env) {
  const candidates = [];
  if (env.PG_BIN_DIR) candidates.push(env.PG_BIN_DIR);
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(base, v, "bin")));
  }
  return candidates.find((dir) => ["initdb", "postgres", "pg_isready"].every((bin) => existsSync(join(dir, bin))));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root, so as root it runs as the `postgres` user. */
function runAs() {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = id("-u");
  if (uid.status !== 0) throw new Error("running as root and there is no `postgres` user to run a private PostgreSQL as");
  return { uid: Number(uid.stdout.trim()), gid: Number(id("-g").stdout.trim()) };
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a private server; resolves once it accepts connections (database `postgres`, user
 * `postgres`, no password). `stop()` is an immediate shutdown (like a crash: connections drop,
 * committed data survives), `start()` brings it back on the same port and data.
 */
export async function startPrivatePostgres({ binDir = findPostgresBinDir(), readyTimeoutMs = 60_000, port: firstPort = undefined } = {}) {
  if (!binDir) throw new Error("no initdb/postgres/pg_isready found under /usr/lib/postgresql/*/bin (set PG_BIN_DIR)");
  const user = runAs();
  const root = mkdtempSync(join(tmpdir(), "pg-private-"));
  if (user) chownSync(root, user.uid, user.gid);
  const dataDir = join(root, "data");
  const init = spawnSync(join(binDir, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], {
    cwd: root,
    encoding: "utf8",
    ...(user ?? {}),
  });
  if (init.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    throw new Error(`initdb failed (${init.status ?? init.error?.message}): ${init.stderr}`);
  }
  // Another process may take the free port before postgres binds it (tests run two files at a time): then a new one.
  let port = firstPort ?? (await freePort());
  let child;
  let stderrTail = "";

  const ready = () => spawnSync(join(binDir, "pg_isready"), ["-q", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-t", "2"]).status === 0;

  async function start() {
    stderrTail = "";
    const server = spawn(join(binDir, "postgres"), ["-D", dataDir, "-p", String(port), "-k", root, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      ...(user ?? {}),
    });
    child = server;
    server.stderr.on("data", (chunk) => (stderrTail = (stderrTail + chunk).slice(-2000)));
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`postgres exited with code ${server.exitCode}: ${stderrTail}`);
      if (ready()) break;
      if (Date.now() > deadline) throw new Error(`private postgres on port ${port} not ready within ${readyTimeoutMs} ms: ${stderrTail}`);
      await sleep(100);
    }
  }

  async function stop() {
    if (!child) return;
    // SIGQUIT to the postmaster we started = immediate shutdown (it recovers from WAL on start).
    child.kill("SIGQUIT");
    await exited(child);
    child = undefined;
  }

  async function dispose() {
    await stop();
    rmSync(root, { recursive: true, force: true });
  }

  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await start();
        break;
      } catch (err) {
        if (attempt === 3 || !/already in use/i.test(stderrTail)) throw err;
        await stop();
        port = await freePort();
      }
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dataRoot: root, start, stop, [Symbol.asyncDispose]: dispose };
}
