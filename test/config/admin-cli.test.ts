import { test } from "node:test";
import assert from "node:assert/strict";
import { ADMIN_CLI_USAGE, adminCliSettings } from "../../src/config/admin-cli.js";
import { ConfigError } from "../../src/config/index.js";

test("admin CLI: ADMIN_TOKEN and DATA_DIR from the environment, ./data by default", () => {
  assert.deepEqual(adminCliSettings(["status"], {}), { json: false, token: undefined, nodeId: undefined, natsUrl: undefined, dataDir: "./data", command: "status", args: [], timeoutMs: undefined });
  assert.equal(adminCliSettings(["status"], { DATA_DIR: "" }).dataDir, "./data");
  const s = adminCliSettings(["subscribe", "BTCUSDT", "ETHUSDT"], { ADMIN_TOKEN: "tok", DATA_DIR: "/var/lib/th" });
  assert.equal(s.token, "tok");
  assert.equal(s.dataDir, "/var/lib/th");
  assert.equal(s.command, "subscribe");
  assert.deepEqual(s.args, ["BTCUSDT", "ETHUSDT"]);
});

test("admin CLI: flags override the environment; --timeout is compiled to ms", () => {
  const s = adminCliSettings(["--json", "--token", "t2", "--node", "n1", "--nats-url", "nats://h:4222", "--data-dir", "/d", "--timeout", "1.5", "verify", "--since", "2h"], { ADMIN_TOKEN: "tok", DATA_DIR: "/var/lib/th" });
  assert.deepEqual(s, { json: true, token: "t2", nodeId: "n1", natsUrl: "nats://h:4222", dataDir: "/d", command: "verify", args: ["--since", "2h"], timeoutMs: 1500 });
});

test("admin CLI: usage errors name the flag and carry the usage", () => {
  const cases: [string[], string][] = [
    [[], ADMIN_CLI_USAGE],
    [["--help"], ADMIN_CLI_USAGE],
    [["-h", "status"], ADMIN_CLI_USAGE],
    [["status", "--node"], `--node needs a value\n${ADMIN_CLI_USAGE}`],
    [["--timeout", "0", "status"], `--timeout takes a positive number of seconds\n${ADMIN_CLI_USAGE}`],
    [["--timeout", "soon", "status"], `--timeout takes a positive number of seconds\n${ADMIN_CLI_USAGE}`],
  ];
  for (const [argv, message] of cases) assert.throws(() => adminCliSettings(argv, {}), (e: unknown) => e instanceof ConfigError && e.message === message, argv.join(" "));
});
