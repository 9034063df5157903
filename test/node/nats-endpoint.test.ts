import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { resolveNatsEndpoint, NatsUnavailable } from "../../src/node/nats-endpoint.js";
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

test("with nothing answering, nats-server is started with JetStream under the data dir", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "endpoint-"));
  try {
    const localUrl = `nats://127.0.0.1:${await freePort()}`;
    await using endpoint = await resolveNatsEndpoint({ configuredUrl: "", dataDir, localUrl });
    assert.ok(endpoint.embedded, "a server process was started");
    const nc = await connect({ servers: endpoint.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "PROBE", subjects: ["probe.>"] });
    await nc.close();
    assert.ok(existsSync(join(dataDir, "nats", "jetstream")), "JetStream data is under <dataDir>/nats");
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
