import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, startNatsCluster } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { freePorts } from "../helpers/ports.js";
import { createServer } from "node:net";

test("a private nats-server with JetStream starts and stops", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const jsm = await jetstreamManager(nc);
  const info = await jsm.getAccountInfo();
  assert.equal(info.streams, 0);
  await nc.close();
});

test("a 3-server JetStream cluster forms", async () => {
  await using cluster = await startNatsCluster(3);
  const nc = await connect({ servers: cluster.urls.split(",") });
  const jsm = await jetstreamManager(nc);
  const stream = await waitFor(
    async () => jsm.streams.add({ name: "R3", subjects: ["r3.>"], num_replicas: 3 }),
    { timeoutMs: 30_000, what: "an R3 stream (JetStream meta leader elected)" },
  );
  assert.equal(stream.config.num_replicas, 3);
  await nc.close();
});

test("a server whose port is taken fails at once with its log, not after the 15 s wait", async () => {
  await using server = await startNatsServer();
  await server.kill();
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(server.port, "127.0.0.1", () => resolve()));
  try {
    const started = Date.now();
    await assert.rejects(server.restart(), (err: Error) => {
      assert.match(err.message, new RegExp(`nats-server on ${server.port} exited before it listened`));
      assert.match(err.message, /address already in use/);
      return true;
    });
    assert.ok(Date.now() - started < 10_000, `failed after ${Date.now() - started} ms`);
  } finally {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
  }
  await server.restart();
  const nc = await connect({ servers: server.url });
  await nc.flush();
  await nc.close();
});

test("freePorts gives distinct ports: 300 clusters' worth of 9", async () => {
  for (let i = 0; i < 300; i++) {
    const ports = await freePorts(9);
    assert.equal(new Set(ports).size, 9, `repeated port in ${ports.join(",")}`);
  }
});
