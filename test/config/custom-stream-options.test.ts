/**
 * CUSTOM_STREAM_MAX_BYTES and CUSTOM_MAX_MSGS_PER_SUBJECT: parsed with clear errors, and applied
 * at a node's start — an existing CUSTOM stream with the defaults is updated in place, and the
 * ingest role's own bootstrap of CUSTOM keeps the configured values. Real nats-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ConfigError, loadConfig } from "../../src/config/index.js";
import { ensureCustomStreams } from "../../src/custom/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { PlatformNode } from "../../src/node/node.js";
import { bootstrap, platformLogSpec, STREAMS } from "../../src/runtime/nats/index.js";
import { startNatsServer } from "../helpers/nats-server.js";

test("the CUSTOM stream options: defaults 2 GiB and 100,000 per subject; bad values name the option", () => {
  assert.deepEqual(loadConfig([], {}).customStream, { maxBytes: 2 * 1024 ** 3, maxMsgsPerSubject: 100_000 });
  assert.deepEqual(loadConfig(["--custom-max-msgs-per-subject", "50"], { CUSTOM_STREAM_MAX_BYTES: "65536" }).customStream, { maxBytes: 65_536, maxMsgsPerSubject: 50 });
  assert.throws(() => loadConfig([], { CUSTOM_STREAM_MAX_BYTES: "2GiB" }), (e: unknown) => e instanceof ConfigError && /CUSTOM_STREAM_MAX_BYTES/.test(e.message));
  assert.throws(() => loadConfig([], { CUSTOM_STREAM_MAX_BYTES: "100" }), /CUSTOM_STREAM_MAX_BYTES/);
  assert.throws(() => loadConfig([], { CUSTOM_MAX_MSGS_PER_SUBJECT: "0" }), /CUSTOM_MAX_MSGS_PER_SUBJECT/);
  assert.throws(() => loadConfig([], { CUSTOM_MAX_MSGS_PER_SUBJECT: "-1" }), /CUSTOM_MAX_MSGS_PER_SUBJECT/);
});

test("a node started with small CUSTOM limits updates an existing CUSTOM stream in place; the ingest role's bootstrap keeps them", async () => {
  await using server = await startNatsServer();
  const dataDir = mkdtempSync(join(tmpdir(), "custom-stream-"));
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    // A deployment from before the options: CUSTOM with the defaults and a message in it.
    await bootstrap(nc, platformLogSpec().filter((s) => s.name === STREAMS.custom), { replicas: 1 });
    await jetstream(nc).publish("ingest.acme.orders", new TextEncoder().encode("{}"));
    const limits = async () => {
      const { config, state } = await jsm.streams.info(STREAMS.custom);
      return { maxBytes: config.max_bytes, maxMsgsPerSubject: config.max_msgs_per_subject, messages: state.messages };
    };
    assert.deepEqual(await limits(), { maxBytes: 2 * 1024 ** 3, maxMsgsPerSubject: 100_000, messages: 1 });

    const config = loadConfig([], { NATS_URL: server.url, NODE_ID: "small", DATA_DIR: dataDir, ROLES: "web", CUSTOM_STREAM_MAX_BYTES: "65536", CUSTOM_MAX_MSGS_PER_SUBJECT: "50" });
    const node = await PlatformNode.start({ config, nc, log: createLogger({ node: "small", level: "warn", write: () => {} }), components: [] });
    try {
      assert.deepEqual(await limits(), { maxBytes: 65_536, maxMsgsPerSubject: 50, messages: 1 }, "updated in place, the message kept");
      await ensureCustomStreams(nc, config.customStream);
      assert.deepEqual(await limits(), { maxBytes: 65_536, maxMsgsPerSubject: 50, messages: 1 }, "the custom-data component's bootstrap agrees");
    } finally {
      await node.stop();
    }
  } finally {
    if (!nc.isClosed()) await nc.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
