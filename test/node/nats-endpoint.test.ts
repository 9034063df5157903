import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { resolveNatsEndpoint, NatsUnavailable } from "../../src/node/nats-endpoint.js";
import { connectNats, NatsConnectFailed } from "../../src/runtime/nats/index.js";
import { connectCliNats } from "../../src/cli/nats.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { freePort } from "../helpers/ports.js";

test("a configured NATS_URL is used as given", async () => {
  await using endpoint = await resolveNatsEndpoint({ configuredUrl: "nats://example:4222", dataDir: "/nonexistent" });
  assert.equal(endpoint.url, "nats://example:4222");
  assert.equal(endpoint.embedded, undefined);
});

test("a server already answering on the local URL is reused", async () => {
  await using server = await startNatsServer();
  await using endpoint = await resolveNatsEndpoint({ configuredUrl: "", dataDir: "/nonexistent", localUrl: server.url });
  assert.equal(endpoint.url, server.url);
  assert.equal(endpoint.embedded, undefined);
});

test("with nothing answering, nats-server is started with JetStream under the data dir, and refuses anonymous clients", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "endpoint-"));
  try {
    const localUrl = `nats://127.0.0.1:${await freePort()}`;
    const lines: string[] = [];
    {
      await using endpoint = await resolveNatsEndpoint({ configuredUrl: "", dataDir, localUrl, log: (l) => lines.push(l) });
      assert.ok(endpoint.embedded, "a server process was started");
      const seedFile = join(dataDir, "nats", "client.nk");
      assert.deepEqual(endpoint.credentials, { credsFile: resolve(seedFile) });
      assert.equal(statSync(seedFile).mode & 0o777, 0o600, "only the owner may read the key");

      // Anonymous: refused, with a message that says what to set.
      await assert.rejects(connectNats(endpoint.url, "anonymous", { timeoutMs: 3_000 }), (err: unknown) => err instanceof NatsConnectFailed && /Authorization Violation/i.test(err.message) && /NATS_CREDS/.test(err.message));
      await assert.rejects(connect({ servers: endpoint.url, timeout: 3_000 }), /Authorization Violation/i);

      const nc = await connectNats(endpoint.url, "node", { credentials: endpoint.credentials! });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "PROBE", subjects: ["probe.>"] });
      await nc.close();
      assert.ok(existsSync(join(dataDir, "nats", "jetstream")), "JetStream data is under <dataDir>/nats");

      // The tools on this machine find the key in DATA_DIR by themselves.
      const cli = await connectCliNats(endpoint.url, "cli", { DATA_DIR: dataDir });
      await cli.flush();
      await cli.close();
      // A second node with the same DATA_DIR finds the running server and its key.
      await using again = await resolveNatsEndpoint({ configuredUrl: "", dataDir, localUrl });
      assert.equal(again.embedded, undefined);
      assert.deepEqual(again.credentials, endpoint.credentials);
    }
    const told = lines.filter((l) => l.includes("--nkey"));
    assert.equal(told.length, 1, lines.join("\n"));
    assert.ok(told[0]!.includes(resolve(dataDir, "nats", "client.nk")) && told[0]!.includes("NATS_CREDS="), told[0]);
    assert.ok(!lines.some((l) => l.includes(readFileSync(join(dataDir, "nats", "client.nk"), "utf8").trim())), "the seed itself is never logged");

    // Restarted on the same DATA_DIR: the same key, and the instructions are not repeated.
    const seed = readFileSync(join(dataDir, "nats", "client.nk"), "utf8");
    await using restarted = await resolveNatsEndpoint({ configuredUrl: "", dataDir, localUrl, log: (l) => lines.push(l) });
    assert.ok(restarted.embedded);
    assert.equal(readFileSync(join(dataDir, "nats", "client.nk"), "utf8"), seed);
    assert.equal(lines.filter((l) => l.includes("--nkey")).length, 1);
    const nc = await connectNats(restarted.url, "node", { credentials: restarted.credentials! });
    await nc.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("with nothing answering and no nats-server, the error says how to get NATS", async () => {
  const localUrl = `nats://127.0.0.1:${await freePort()}`;
  await assert.rejects(
    resolveNatsEndpoint({ configuredUrl: "", dataDir: "/tmp", localUrl, serverBinary: "" }).then(() => {}),
    (err: unknown) => err instanceof NatsUnavailable,
  );
});
