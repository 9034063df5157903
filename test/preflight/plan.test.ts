/** What the preflight of `npm start` / `npm test` decides for each combination of present and missing pieces (pure). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { installReason, planServices, planStartNats, type Facts, type LockFile } from "../../scripts/preflight/plan.mjs";

const lock: LockFile = {
  lockfileVersion: 3,
  packages: {
    "": { name: "tickhouse", version: "0.1.0" },
    "node_modules/pg": { version: "8.23.1", resolved: "https://r/pg.tgz", integrity: "sha512-a" },
    "node_modules/@duckdb/node-bindings-darwin-arm64": { version: "1.5.6", optional: true, os: ["darwin"] },
  },
};
const installedOf = (packages: LockFile["packages"]): LockFile => ({ lockfileVersion: 3, packages });

test("npm ci runs when node_modules is missing, differs from the lock, or holds other packages; not when it matches", () => {
  assert.match(installReason({ lock, installed: undefined }) ?? "", /node_modules is missing/);
  assert.equal(installReason({ lock, installed: installedOf({ "node_modules/pg": lock.packages!["node_modules/pg"]! }) }), undefined, "other platforms' optional packages are never installed");
  assert.match(installReason({ lock, installed: installedOf({}) }) ?? "", /^pg is not installed/);
  assert.match(installReason({ lock, installed: installedOf({ "node_modules/pg": { version: "8.20.0", resolved: "https://r/pg.tgz", integrity: "sha512-b" } }) }) ?? "", /^pg differs from package-lock.json/);
  const extra = installedOf({ "node_modules/pg": lock.packages!["node_modules/pg"]!, "node_modules/left-pad": { version: "1.0.0" } });
  assert.match(installReason({ lock, installed: extra }) ?? "", /^left-pad is installed but not in package-lock.json/);
  const withOptional = installedOf({ "node_modules/pg": lock.packages!["node_modules/pg"]!, "node_modules/@duckdb/node-bindings-darwin-arm64": lock.packages!["node_modules/@duckdb/node-bindings-darwin-arm64"]! });
  assert.equal(installReason({ lock, installed: withOptional }), undefined, "an optional package that is installed and matches is fine");
});

const everything: Facts = {
  ci: false,
  root: false,
  apt: true,
  natsServer: "/usr/sbin/nats-server",
  chromium: "/usr/bin/chromium",
  promtool: "/usr/bin/promtool",
  postgres: { configuredUrl: undefined, local: { state: "ready" }, binDir: "/usr/lib/postgresql/15/bin" },
};
const facts = (over: Partial<Facts>, pg: Partial<Facts["postgres"]> = {}): Facts => ({ ...everything, ...over, postgres: { ...everything.postgres, ...pg } });
const step = (f: Facts, piece: string) => planServices(f).find((s) => s.piece === piece)!;

test("nats-server: used when found; apt-get as root with apt; otherwise stop with the exact command", () => {
  assert.deepEqual(step(everything, "nats-server"), { piece: "nats-server", action: "use", path: "/usr/sbin/nats-server" });
  assert.deepEqual(step(facts({ natsServer: undefined, root: true }), "nats-server"), { piece: "nats-server", action: "apt", package: "nats-server" });
  const user = step(facts({ natsServer: undefined }), "nats-server");
  assert.equal(user.action, "stop");
  assert.equal("command" in user && user.command, "sudo apt-get install -y nats-server");
  const noApt = step(facts({ natsServer: undefined, root: true, apt: false }), "nats-server");
  assert.equal(noApt.action, "stop");
  assert.match("command" in noApt ? noApt.command : "", /nats-server\/releases.*NATS_SERVER_BIN/);
});

test("postgresql: TEST_DATABASE_URL first, then 127.0.0.1:5432 (creating database test), then a private server, else stop", () => {
  assert.deepEqual(step(facts({}, { configuredUrl: "postgres://u@db:5433/x", local: { state: "unchecked" } }), "postgresql"), {
    piece: "postgresql",
    action: "use",
    url: "postgres://u@db:5433/x",
    createDatabase: false,
    configured: true,
  });
  assert.deepEqual(step(everything, "postgresql"), { piece: "postgresql", action: "use", url: "postgres://postgres@127.0.0.1:5432/test", createDatabase: false, configured: false });
  assert.deepEqual(step(facts({}, { local: { state: "no-test-database" } }), "postgresql"), {
    piece: "postgresql",
    action: "use",
    url: "postgres://postgres@127.0.0.1:5432/test",
    createDatabase: true,
    configured: false,
  });
  assert.deepEqual(step(facts({}, { local: { state: "down" } }), "postgresql"), {
    piece: "postgresql",
    action: "private",
    binDir: "/usr/lib/postgresql/15/bin",
    why: "nothing answers on 127.0.0.1:5432",
  });
  const refused = step(facts({}, { local: { state: "refused", error: "password authentication failed" } }), "postgresql");
  assert.equal(refused.action, "private");
  assert.match("why" in refused ? refused.why : "", /refuses .*password authentication failed/);
  const none = step(facts({}, { local: { state: "down" }, binDir: undefined }), "postgresql");
  assert.equal(none.action, "stop");
  assert.match("command" in none ? none.command : "", /^sudo apt-get install -y postgresql .*TEST_DATABASE_URL=/);
  const rootNone = step(facts({ root: true }, { local: { state: "down" }, binDir: undefined }), "postgresql");
  assert.match("command" in rootNone ? rootNone.command : "", /^apt-get install -y postgresql /, "as root: no sudo, and no automatic install (the issue asks for a private server or the command)");
});

test("chromium: used when found; apt-get as root with apt; outside CI the browser tests skip; in CI stop", () => {
  assert.deepEqual(step(everything, "chromium"), { piece: "chromium", action: "use", path: "/usr/bin/chromium" });
  assert.deepEqual(step(facts({ chromium: undefined, root: true, ci: true }), "chromium"), { piece: "chromium", action: "apt", package: "chromium" });
  assert.deepEqual(step(facts({ chromium: undefined, root: true }), "chromium"), { piece: "chromium", action: "apt", package: "chromium" });
  const laptop = step(facts({ chromium: undefined }), "chromium");
  assert.equal(laptop.action, "skip");
  assert.match("enable" in laptop ? laptop.enable : "", /^sudo apt-get install -y chromium \(or set CHROMIUM_BIN=/);
  const ci = step(facts({ chromium: undefined, ci: true }), "chromium");
  assert.equal(ci.action, "stop");
  assert.match("command" in ci ? ci.command : "", /^sudo apt-get install -y chromium/);
  const ciNoApt = step(facts({ chromium: undefined, ci: true, root: true, apt: false }), "chromium");
  assert.equal(ciNoApt.action, "stop");
  assert.match("command" in ciNoApt ? ciNoApt.command : "", /CHROMIUM_BIN/);
});

test("one step per piece, in the order they are said", () => {
  assert.deepEqual(
    planServices(facts({ natsServer: undefined, chromium: undefined, promtool: undefined, root: true }, { local: { state: "down" } })).map((s) => `${s.piece} ${s.action}`),
    ["nats-server apt", "postgresql private", "chromium apt", "promtool apt"],
  );
});

test("promtool: used when found; Debian's prometheus package as root with apt; outside CI its tests skip; in CI stop", () => {
  assert.deepEqual(step(everything, "promtool"), { piece: "promtool", action: "use", path: "/usr/bin/promtool" });
  assert.deepEqual(step(facts({ promtool: undefined, root: true, ci: true }), "promtool"), { piece: "promtool", action: "apt", package: "prometheus" });
  const laptop = step(facts({ promtool: undefined }), "promtool");
  assert.equal(laptop.action, "skip");
  assert.match("enable" in laptop ? laptop.enable : "", /^sudo apt-get install -y prometheus \(or set PROMTOOL_BIN=/);
  const ci = step(facts({ promtool: undefined, ci: true }), "promtool");
  assert.equal(ci.action, "stop");
  assert.match("reason" in ci ? ci.reason : "", /CI runs the Prometheus tests/);
});

test("npm start installs nats-server only when it would start one, has none, and apt-get is usable", () => {
  const none = { natsConfigured: false, localNatsAnswers: false, natsServer: undefined, root: true, apt: true };
  assert.deepEqual(planStartNats(none), { piece: "nats-server", action: "apt", package: "nats-server" });
  assert.equal(planStartNats({ ...none, natsConfigured: true }), undefined, "NATS_URL given");
  assert.equal(planStartNats({ ...none, localNatsAnswers: true }), undefined, "a server on 127.0.0.1:4222");
  assert.equal(planStartNats({ ...none, natsServer: "/usr/sbin/nats-server" }), undefined, "the node starts this one");
  assert.equal(planStartNats({ ...none, root: false }), undefined, "not root: the node says how to get NATS");
  assert.equal(planStartNats({ ...none, apt: false }), undefined);
});
