import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadConfig, describeConfig, ConfigError, OPTIONS, parseDuration } from "../../src/config/index.js";

test("defaults give a complete single-node configuration", () => {
  const c = loadConfig([], {});
  assert.equal(c.natsUrl, "");
  assert.equal(c.partitions, 32);
  assert.deepEqual(c.roles, ["ingest", "market", "lake", "serving", "web", "ml", "quality"]);
  assert.equal(c.windowSizeMs, 30_000);
  assert.equal(c.windowSlideMs, 10_000);
  assert.equal(c.allowedLatenessMs, 2_000);
  assert.equal(c.lakeUri, "data/lake");
  assert.deepEqual(c.web, { host: "127.0.0.1", port: 3000, allowedHosts: [], allowedOrigins: [], limits: { maxBodyBytes: 1_048_576, maxBatch: 20, maxSubscriptions: 50, maxReplay: 10_000 } });
  assert.deepEqual(c.adminTokens, []);
  assert.equal(c.shutdownTimeoutMs, 30_000);
});

test("flags override the environment, which overrides defaults", () => {
  const c = loadConfig(["--partitions", "8", "--roles=web,ingest", "--symbols", "btcusdt, ethusdt"], { PARTITIONS: "16", WEB_PORT: "8080" });
  assert.equal(c.partitions, 8);
  assert.equal(c.web.port, 8080);
  assert.deepEqual(c.roles, ["web", "ingest"]);
  assert.deepEqual(c.symbols, ["BTCUSDT", "ETHUSDT"]);
});

test("durations compile to milliseconds once", () => {
  const table: [string, number][] = [["500ms", 500], ["30s", 30_000], ["5m", 300_000], ["24h", 86_400_000], ["1.5s", 1500], ["250", 250]];
  for (const [text, ms] of table) assert.equal(parseDuration("X", text), ms, text);
});

test("invalid values are rejected with a message naming the option", () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--partitions", "zero"], {}, /PARTITIONS: "zero" is not an integer/],
    [[], { PARTITIONS: "0" }, /PARTITIONS: 0 is outside/],
    [[], { WINDOW_SIZE: "forever" }, /WINDOW_SIZE: "forever" is not a duration/],
    [[], { WINDOW_SIZE: "25s" }, /WINDOW_SIZE .* must be a multiple of WINDOW_SLIDE/],
    [[], { ROLES: "ingest,cooking" }, /ROLES: "cooking" is not one of/],
    [[], { NATS_URL: "http://x" }, /NATS_URL: "http:\/\/x" must use/],
    [[], { DATABASE_URL: "mysql://x" }, /DATABASE_URL: .* must use/],
    [["--no-such-flag", "1"], {}, /unknown option --no-such-flag/],
    [["--partitions"], {}, /--partitions needs a value/],
    [[], { MEMBER_TTL: "1s" }, /MEMBER_TTL must be at least twice HEARTBEAT/],
    [["--shutdown-timeout", "soon"], {}, /SHUTDOWN_TIMEOUT: "soon" is not a duration/],
    [[], { SHUTDOWN_TIMEOUT: "100ms" }, /SHUTDOWN_TIMEOUT: 100 ms is outside 1s\.\.1h/],
  ];
  for (const [argv, env, message] of cases) {
    assert.throws(() => loadConfig(argv, env), (err: unknown) => err instanceof ConfigError && message.test(err.message), `${argv} ${JSON.stringify(env)}`);
  }
});

test("the printed configuration masks secrets", () => {
  const lines = describeConfig([], {
    DATABASE_URL: "postgres://app:hunter2@db:5432/app",
    ADMIN_TOKENS: "t0ps3cret",
    S3_SECRET_ACCESS_KEY: "abc",
  });
  const text = lines.join("\n");
  assert.ok(!text.includes("hunter2") && !text.includes("t0ps3cret") && !text.includes("abc\n"), text);
  assert.match(text, /DATABASE_URL=postgres:\/\/app:\*\*\*\*@db:5432\/app/);
  assert.match(text, /ADMIN_TOKENS=\*\*\*\*/);
  assert.match(text, /NATS_URL=\(unset\)/);
});

test("the README's configuration table documents every option", () => {
  const readme = readFileSync("README.md", "utf8");
  for (const spec of Object.values(OPTIONS)) {
    assert.match(readme, new RegExp(`\\| \`${spec.env}\` \\| \`${spec.flag}\``), `${spec.env} missing from README`);
  }
});

test("ingestion API keys are parsed and validated at start", () => {
  const c = loadConfig([], { INGEST_API_KEYS: "acme:k3y-acme-123,*:sup3r-key-99" });
  assert.equal(c.ingest.apiKeys.length, 2);
  assert.equal(c.ingest.maxBodyBytes, 1_048_576);
  assert.throws(() => loadConfig([], { INGEST_API_KEYS: "nocolon" }), (err: unknown) => err instanceof ConfigError && /INGEST_API_KEYS/.test(err.message));
});
