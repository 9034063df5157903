/**
 * The README's promise, literally: on a fresh clone `npm start` is the first and only command. The
 * repository's HEAD is cloned into a temp dir (no node_modules, no dist, no ../shared beside it)
 * and `npm start` runs there against a private nats-server and a synthetic Binance-compatible
 * market, until /healthz answers and the dashboard is served; SIGTERM then ends it cleanly.
 * It tests what is committed (a clone), not uncommitted edits in the working tree.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MarketSimulator } from "../../src/simulator/server.js";
import { SyntheticSource } from "../../src/simulator/synthetic-source.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { freePort } from "../helpers/ports.js";
import { waitFor } from "../helpers/wait.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** This process's environment as a new user's shell would have it: no npm run-script or test-runner variables, no project's node_modules/.bin on PATH. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key.startsWith("NODE_TEST") || key === "INIT_CWD" || key === "TEST_DATABASE_URL") continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((dir) => !dir.includes("node_modules"))
    .join(":");
  return env;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

test("npm start on a fresh clone installs, builds, serves /healthz and the dashboard, and stops on SIGTERM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fresh-clone-"));
  const clone = join(dir, "tickhouse");
  await using nats = await startNatsServer();
  const simulator = await MarketSimulator.start({ source: new SyntheticSource({ symbols: 2, tradesPerSecond: 50, startId: Date.now() * 100 }), host: "127.0.0.1", port: 0, startOn: "immediately" });
  let child: ChildProcess | undefined;
  let output = "";
  try {
    const cloned = spawnSync("git", ["clone", "--quiet", repoRoot, clone], { encoding: "utf8" });
    assert.equal(cloned.status, 0, `git clone failed: ${cloned.stderr}`);
    assert.equal(existsSync(join(clone, "node_modules")), false);
    const port = await freePort();
    child = spawn("npm", ["start"], {
      cwd: clone,
      env: { ...userEnvironment(), NATS_URL: nats.url, WEB_PORT: String(port), DATA_DIR: join(dir, "data"), BINANCE_WS_URL: simulator.url, SYMBOLS: "BTCUSDT,ETHUSDT" },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so that a failed test can take npm and everything below it down.
      detached: true,
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const running = child;

    type Health = { ok: boolean; nats: { server: string | null } };
    // An early exit ends the wait at once (waitFor would retry a throwing condition until its deadline).
    const outcome = await waitFor(
      async (): Promise<{ exitCode: number | null } | { health: Health } | undefined> => {
        if (running.exitCode !== null || running.signalCode !== null) return { exitCode: running.exitCode };
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.ok ? { health: (await res.json()) as Health } : undefined;
      },
      { timeoutMs: 4 * 60_000, intervalMs: 500, what: "/healthz of npm start in the clone" },
    ).catch((err: Error) => assert.fail(`${err.message}\n${output}`));
    if (!("health" in outcome)) assert.fail(`npm start exited with ${outcome.exitCode} before /healthz answered:\n${output}`);
    const { health } = outcome;
    assert.equal(health.ok, true, output);
    assert.equal(health.nats.server, `127.0.0.1:${nats.port}`);
    assert.match(output, /preflight: installing dependencies with npm ci \(node_modules is missing/, "the preflight said it installs, in one line");
    assert.ok(existsSync(join(clone, "node_modules/.package-lock.json")), "npm ci installed node_modules");

    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<div id="root">/, "the built dashboard is served");

    running.kill("SIGTERM"); // to npm, as a service manager would: it passes it on to the node
    assert.equal(await exited(running), 0, output);
    assert.match(output, /shutdown summary: exit 0/);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), "nothing serves the port after the exit");
  } finally {
    if (child?.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
