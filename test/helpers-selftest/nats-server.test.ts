import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer, startNatsCluster } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

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
