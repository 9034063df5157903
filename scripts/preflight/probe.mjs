// What is present on this machine, gathered for planServices (plan.mjs). Runs after the
// dependencies are installed, so the PostgreSQL check may use the project's own `pg` client.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { connect } from "node:net";
import { findPostgresBinDir } from "./private-postgres.mjs";

export const LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432";

function pathDirs(env) {
  return (env.PATH ?? "").split(":").filter(Boolean);
}

/** A nats-server that runs: NATS_SERVER_BIN (only it, when set), else PATH, /usr/sbin, /usr/local/bin. */
export function findNatsServer(env = process.env) {
  const candidates = env.NATS_SERVER_BIN ? [env.NATS_SERVER_BIN] : [...pathDirs(env), "/usr/sbin", "/usr/local/bin"].map((d) => join(d, "nats-server"));
  return candidates.find((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0);
}

/** PROMTOOL_BIN (only it, when set), else Debian's /usr/bin/promtool, else promtool on PATH (prometheus is beside it). */
export function findPromtool(env = process.env) {
  if (env.PROMTOOL_BIN) return existsSync(env.PROMTOOL_BIN) ? env.PROMTOOL_BIN : undefined;
  return ["/usr/bin/promtool", ...pathDirs(env).map((d) => join(d, "promtool"))].find((c) => existsSync(c));
}

/** CHROMIUM_BIN (only it, when set), else Debian's /usr/bin/chromium, else chromium or chromium-browser on PATH. */
export function findChromium(env = process.env) {
  if (env.CHROMIUM_BIN) return existsSync(env.CHROMIUM_BIN) ? env.CHROMIUM_BIN : undefined;
  const candidates = ["/usr/bin/chromium", ...pathDirs(env).flatMap((d) => [join(d, "chromium"), join(d, "chromium-browser")])];
  return candidates.find((c) => existsSync(c));
}

/**
 * The machine's PostgreSQL on 127.0.0.1:5432 as the suite uses it (user postgres, database test):
 * "ready", "no-test-database" (the server accepts us; database test is missing), "refused" (it
 * answers but not to us; `error` says why) or "down".
 */
export async function probeLocalPostgres() {
  const { default: pg } = await import("pg");
  const attempt = async (db) => {
    const client = new pg.Client({ connectionString: `${LOCAL_POSTGRES}/${db}`, connectionTimeoutMillis: 3000 });
    client.on("error", () => {});
    try {
      await client.connect();
      await client.query("SELECT 1");
      return undefined;
    } catch (err) {
      return err;
    } finally {
      await client.end().catch(() => {});
    }
  };
  const err = await attempt("test");
  if (!err) return { state: "ready" };
  if (err.code === "ECONNREFUSED" || err.code === "ETIMEDOUT" || /timeout/i.test(err.message)) return { state: "down" };
  if (err.code === "3D000" && !(await attempt("postgres"))) return { state: "no-test-database" };
  return { state: "refused", error: err.message };
}

export async function probe(env = process.env) {
  const binDir = findPostgresBinDir(env);
  return {
    ci: Boolean(env.CI),
    root: process.getuid?.() === 0,
    apt: existsSync("/usr/bin/apt-get"),
    natsServer: findNatsServer(env),
    chromium: findChromium(env),
    promtool: findPromtool(env),
    postgres: env.TEST_DATABASE_URL
      ? { configuredUrl: env.TEST_DATABASE_URL, local: { state: "unchecked" }, binDir }
      : { configuredUrl: undefined, local: await probeLocalPostgres(), binDir },
  };
}

function portAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => (socket.destroy(), resolve(ok));
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** What `npm start` needs to know about NATS (planStartNats); `args` are the node's flags. */
export async function probeStartNats(env = process.env, args = []) {
  const natsConfigured = Boolean(env.NATS_URL) || args.some((a) => a === "--nats-url" || a.startsWith("--nats-url="));
  return {
    natsConfigured,
    localNatsAnswers: !natsConfigured && (await portAnswers("127.0.0.1", 4222)),
    // Where the node itself looks (src/node/nats-endpoint.ts): PATH, /usr/sbin, /usr/local/bin.
    natsServer: natsConfigured ? undefined : findNatsServer({ ...env, NATS_SERVER_BIN: undefined }),
    root: process.getuid?.() === 0,
    apt: existsSync("/usr/bin/apt-get"),
  };
}
