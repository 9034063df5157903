// Carries out planServices' steps for `npm test`: installs Debian packages, starts a private
// PostgreSQL, and gives the test run the environment that points the helpers at what was found
// (NATS_SERVER_BIN, TEST_DATABASE_URL, CHROMIUM_BIN, PROMTOOL_BIN). One line per step.
import { spawnSync } from "node:child_process";
import { planServices } from "./plan.mjs";
import { findChromium, findNatsServer, findPromtool, LOCAL_POSTGRES } from "./probe.mjs";

/** Where each binary piece is looked for, and the variable that tells the tests its path. */
const BINARIES = {
  "nats-server": { find: findNatsServer, envVar: "NATS_SERVER_BIN" },
  chromium: { find: findChromium, envVar: "CHROMIUM_BIN" },
  promtool: { find: findPromtool, envVar: "PROMTOOL_BIN" },
};
import { startPrivatePostgres } from "./private-postgres.mjs";

/** The run cannot go on; `message` says what to do. */
export class PreflightStop extends Error {
  name = "PreflightStop";
}

function stop(step) {
  return new PreflightStop(`${step.piece}: ${step.reason}. Run: ${step.command}`);
}

/** apt-get update, then install `packages` (root only); throws PreflightStop when apt-get fails. */
export function aptInstall(packages, say) {
  say(`installing ${packages.join(", ")} with apt-get ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update", "-qq"], ["install", "-y", "-qq", ...packages]]) {
    const r = spawnSync("apt-get", args, { env, stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0) throw new PreflightStop(`apt-get ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}); install ${packages.join(" ")} by hand`);
  }
}

async function createTestDatabase() {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: `${LOCAL_POSTGRES}/postgres` });
  await client.connect();
  try {
    await client.query("CREATE DATABASE test");
  } finally {
    await client.end();
  }
}

/** Hides a password in a URL for the log line. */
function redact(url) {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:****@");
}

/**
 * Prepares every service; resolves to the variables for the test run and a `release` that stops
 * what was started (the private PostgreSQL). Throws PreflightStop when the run cannot go on.
 */
export async function prepareServices(facts, say) {
  const steps = planServices(facts);
  const apt = steps.filter((s) => s.action === "apt");
  if (apt.length > 0) aptInstall(apt.map((s) => s.package), say);
  const env = {};
  const releases = [];
  const release = async () => {
    for (const r of releases.reverse()) await r();
  };
  try {
    for (const step of steps) {
      switch (step.action) {
        case "apt": {
          // Found where apt-get puts it, whatever a CHROMIUM_BIN / NATS_SERVER_BIN / PROMTOOL_BIN that pointed nowhere said.
          const searchEnv = { ...process.env };
          for (const b of Object.values(BINARIES)) delete searchEnv[b.envVar];
          const path = BINARIES[step.piece].find(searchEnv);
          if (!path) throw new PreflightStop(`${step.piece}: apt-get installed ${step.package} but it is still not found`);
          useBinary(step.piece, path, env, say, ` (installed with apt-get)`);
          break;
        }
        case "use":
          if (step.piece === "postgresql") {
            if (step.createDatabase) await createTestDatabase();
            env.TEST_DATABASE_URL = step.url;
            say(`postgresql: ${step.configured ? `TEST_DATABASE_URL=${redact(step.url)}` : `127.0.0.1:5432, database test${step.createDatabase ? " (created)" : ""}`}`);
          } else useBinary(step.piece, step.path, env, say, "");
          break;
        case "private": {
          const server = await startPrivatePostgres({ binDir: step.binDir });
          releases.push(() => server[Symbol.asyncDispose]());
          env.TEST_DATABASE_URL = server.url;
          say(`postgresql: ${step.why}; started a private server from ${step.binDir} on 127.0.0.1:${server.port} for this run (removed afterwards)`);
          break;
        }
        case "skip":
          say(`${step.piece}: ${step.reason}; to run them: ${step.enable}`);
          break;
        case "stop":
          throw stop(step);
        default:
          throw new Error(`unknown preflight action ${step.action}`);
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { env, release };
}

function useBinary(piece, path, env, say, note) {
  // The test helpers read these, so a binary found on PATH is used, not only the Debian paths.
  env[BINARIES[piece].envVar] = path;
  say(`${piece}: ${path}${note}`);
}
