// What the preflight decides, as pure functions from "what is present" to "what to do". The
// probing and the doing live in probe.mjs / services.mjs; keeping the decisions here lets
// test/preflight check every combination without a machine in that state.
// Plain Node, no dependencies: this runs before node_modules exists.

/**
 * Why `npm ci` must run, or undefined when node_modules matches the lock. `installed` is the
 * hidden lockfile npm writes after an install (node_modules/.package-lock.json): comparing its
 * entries with package-lock.json's says whether this exact tree is installed, which mtimes cannot
 * (a git checkout or pull gives files arbitrary times).
 * @param {{ lock: any, installed: any }} state parsed package-lock.json and hidden lockfile (undefined when absent)
 * @returns {string | undefined}
 */
export function installReason({ lock, installed }) {
  if (!installed) return "node_modules is missing or was not installed by npm";
  const wanted = lock?.packages ?? {};
  const have = installed.packages ?? {};
  for (const [path, entry] of Object.entries(wanted)) {
    if (path === "") continue; // the project itself
    const got = have[path];
    // Optional packages for other platforms (darwin, musl builds) are never installed here.
    if (got === undefined && entry.optional) continue;
    if (got === undefined) return `${packageName(path)} is not installed`;
    if (JSON.stringify(got) !== JSON.stringify(entry)) return `${packageName(path)} differs from package-lock.json`;
  }
  for (const path of Object.keys(have)) {
    if (!(path in wanted)) return `${packageName(path)} is installed but not in package-lock.json`;
  }
  return undefined;
}

function packageName(path) {
  return path.replace(/^.*node_modules\//, "");
}

/** How to install a Debian package from where we stand, for a message that stops the run. */
export function aptCommand(facts, pkg) {
  return `${facts.root ? "" : "sudo "}apt-get install -y ${pkg}`;
}

/**
 * What `npm test` does about each service the suite needs.
 * facts: {
 *   ci: boolean, root: boolean, apt: boolean,
 *   natsServer: string | undefined,                 // path of a working nats-server
 *   chromium: string | undefined,                   // path of a chromium binary
 *   promtool: string | undefined,                   // path of promtool (Debian's prometheus package, with prometheus beside it)
 *   postgres: { configuredUrl: string | undefined,  // TEST_DATABASE_URL given by the user
 *               local: { state, error? },           // 127.0.0.1:5432 as user postgres, database test:
 *                  // "ready" | "no-test-database" | "refused" | "down" | "unchecked" (URL configured)
 *               binDir: string | undefined }        // a directory with initdb, postgres, pg_isready
 * }
 * Returns one step per piece: { piece, action, ... } where action is
 *   "use" (path | url), "apt" (package: install it, then use it), "private" (binDir: a private
 *   PostgreSQL for the run), "skip" (reason, enable: the browser or Prometheus tests skip outside CI), or
 *   "stop" (reason, command: what the user runs; the run ends before any test).
 */
export function planServices(facts) {
  return [planNats(facts), planPostgres(facts), planChromium(facts), planPromtool(facts)];
}

const canApt = (facts) => facts.root && facts.apt;

/**
 * Whether `npm start` must install nats-server first: only when it would have to start one itself
 * (no NATS_URL / --nats-url, nothing on 127.0.0.1:4222), none is found, and apt-get is usable.
 * Otherwise the node goes on and, lacking NATS, says itself how to get it (NatsUnavailable).
 * facts: { natsConfigured, localNatsAnswers, natsServer, root, apt }. Returns an apt step or undefined.
 */
export function planStartNats(facts) {
  if (facts.natsConfigured || facts.localNatsAnswers || facts.natsServer) return undefined;
  const step = planNats(facts);
  return step.action === "apt" ? step : undefined;
}

function planNats(facts) {
  const piece = "nats-server";
  if (facts.natsServer) return { piece, action: "use", path: facts.natsServer };
  if (canApt(facts)) return { piece, action: "apt", package: "nats-server" };
  return {
    piece,
    action: "stop",
    reason: "no nats-server that runs at NATS_SERVER_BIN, on PATH, in /usr/sbin or /usr/local/bin (the tests start their own servers)",
    command: facts.apt ? aptCommand(facts, "nats-server") : "install nats-server from https://github.com/nats-io/nats-server/releases onto PATH (or set NATS_SERVER_BIN=/path/to/nats-server)",
  };
}

function planPostgres(facts) {
  const piece = "postgresql";
  const pg = facts.postgres;
  if (pg.configuredUrl) return { piece, action: "use", url: pg.configuredUrl, createDatabase: false, configured: true };
  const local = "postgres://postgres@127.0.0.1:5432/test";
  if (pg.local.state === "ready") return { piece, action: "use", url: local, createDatabase: false, configured: false };
  if (pg.local.state === "no-test-database") return { piece, action: "use", url: local, createDatabase: true, configured: false };
  // A server on 5432 that refuses us (another user's, password auth) is left alone like a missing one.
  const why = pg.local.state === "refused" ? `127.0.0.1:5432 refuses ${local} (${pg.local.error})` : "nothing answers on 127.0.0.1:5432";
  if (pg.binDir) return { piece, action: "private", binDir: pg.binDir, why };
  return {
    piece,
    action: "stop",
    reason: `${why} and there is no initdb/postgres under /usr/lib/postgresql/*/bin to start a private server`,
    command: facts.apt
      ? `${aptCommand(facts, "postgresql")} (npm test then starts a private server from its binaries), or set TEST_DATABASE_URL=postgres://user@host:port/db`
      : "install PostgreSQL (initdb, postgres, pg_isready), or set TEST_DATABASE_URL=postgres://user@host:port/db",
  };
}

function planChromium(facts) {
  return planTool(facts, { piece: "chromium", found: facts.chromium, pkg: "chromium", envVar: "CHROMIUM_BIN", where: "CHROMIUM_BIN, /usr/bin/chromium or on PATH", tests: "the browser tests" });
}

function planPromtool(facts) {
  return planTool(facts, { piece: "promtool", found: facts.promtool, pkg: "prometheus", envVar: "PROMTOOL_BIN", where: "PROMTOOL_BIN, /usr/bin/promtool or on PATH", tests: "the Prometheus tests" });
}

/** A tool only some tests need: installed with apt-get when we can; otherwise they skip, except in CI. */
function planTool(facts, { piece, found, pkg, envVar, where, tests }) {
  if (found) return { piece, action: "use", path: found };
  if (canApt(facts)) return { piece, action: "apt", package: pkg };
  const enable = facts.apt ? `${aptCommand(facts, pkg)} (or set ${envVar}=/path/to/${piece})` : `install ${pkg} and set ${envVar}=/path/to/${piece}`;
  // CI must run every test; on a laptop the rest of the suite is still worth running.
  if (!facts.ci) return { piece, action: "skip", reason: `no ${piece} at ${where}, ${tests} will skip`, enable };
  return { piece, action: "stop", reason: `no ${piece} at ${where}, and CI runs ${tests}`, command: enable };
}
