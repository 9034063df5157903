import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstreamManager, StorageType, RetentionPolicy } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { millis } from "@nats-io/nats-core";
import { startNatsCluster, startNatsServer } from "../helpers/nats-server.js";
import { bootstrap, bucketStreamName, clusterSize, clusterSizeFromInfo, replicatedCasIsSafe, connectNats, diffStreamConfig, IncompatibleStreamConfig, platformLogSpec, replicasFor } from "../../src/runtime/nats/index.js";

test("cluster size from INFO: no cluster name is one server; connect_urls counts the members", () => {
  assert.equal(clusterSizeFromInfo(undefined), 1);
  assert.equal(clusterSizeFromInfo({}), 1);
  assert.equal(clusterSizeFromInfo({ cluster: "c", connect_urls: ["a:1", "b:1", "c:1", "a:1"] }), 3);
  assert.equal(clusterSizeFromInfo({ cluster: "c" }), 1);
  assert.deepEqual([1, 2, 3, 5].map(replicasFor), [1, 2, 3, 3]);
  assert.deepEqual(["2.9.10", "2.9.20", "2.9.21", "2.10.0", "2.11.4", "3.0.0", undefined].map(replicatedCasIsSafe), [false, false, true, true, true, true, false]);
});

test("diffStreamConfig: limits and added subjects update, storage and retention changes are refused", () => {
  const current = { name: "S", subjects: ["a.>"], storage: StorageType.File, retention: RetentionPolicy.Limits, max_age: 1, max_bytes: -1 } as never;
  const { changed, next } = diffStreamConfig(current, { subjects: ["b.>"], max_age: 2, max_bytes: -1 });
  assert.deepEqual(changed, ["subjects", "max_age"]);
  assert.deepEqual(next.subjects, ["a.>", "b.>"], "subjects are only ever added");
  assert.throws(() => diffStreamConfig(current, { storage: StorageType.Memory }), IncompatibleStreamConfig);
  assert.throws(() => diffStreamConfig(current, { retention: RetentionPolicy.Workqueue }), IncompatibleStreamConfig);
});

test("bootstrap on one server: R1, idempotent, updates compatible changes without losing data", async () => {
  await using server = await startNatsServer();
  const nc = await connectNats(server.url, "bootstrap-test");
  try {
    assert.equal(clusterSize(nc), 1);
    const spec = platformLogSpec();
    const first = await bootstrap(nc, spec);
    assert.deepEqual(first.map((r) => [r.name, r.action, r.replicas]), spec.map((s) => [s.name, "created", 1]));
    const second = await bootstrap(nc, spec);
    assert.ok(second.every((r) => r.action === "unchanged"), JSON.stringify(second));

    const jsm = await jetstreamManager(nc);
    const trades = await jsm.streams.info("TRADES");
    assert.equal(trades.config.storage, StorageType.File);
    assert.equal(trades.config.retention, RetentionPolicy.Limits);
    assert.ok(trades.config.duplicate_window > 0);
    const js = jsm.jetstream();
    await js.publish("md.trades.3.BTCUSDT", "t1", { msgID: "binance:BTCUSDT:1" });
    const dup = await js.publish("md.trades.3.BTCUSDT", "t1", { msgID: "binance:BTCUSDT:1" });
    assert.equal(dup.duplicate, true, "Nats-Msg-Id de-duplicates");
    const kv = await new Kvm(nc).open("rt_champions");
    await kv.put("BTCUSDT", "model-1");

    const changed = await bootstrap(nc, platformLogSpec({ trades: { maxAgeMs: 3_600_000, maxBytes: 1024 ** 3 }, leaseTtlMs: 7000 }));
    const byName = new Map(changed.map((r) => [r.name, r]));
    assert.equal(byName.get("TRADES")!.action, "updated");
    assert.deepEqual(byName.get("TRADES")!.changed.sort(), ["max_age", "max_bytes"]);
    assert.equal(byName.get("rt_leases")!.action, "updated");
    assert.equal(millis((await jsm.streams.info(bucketStreamName("rt_leases"))).config.max_age), 7000);
    assert.equal((await jsm.streams.info("TRADES")).state.messages, 1, "data kept across the update");
    assert.equal((await kv.get("BTCUSDT"))?.string(), "model-1");

  } finally {
    await nc.close();
  }
});

test("bootstrap on a 3-server cluster: R3 streams and buckets, from any server", async () => {
  await using cluster = await startNatsCluster(3);
  const nc = await connectNats(cluster.servers[1]!.url, "bootstrap-test");
  try {
    assert.equal(clusterSize(nc), 3);
    const results = await bootstrap(nc, platformLogSpec());
    assert.ok(results.every((r) => r.action === "created"), JSON.stringify(results));
    // Leases and champion pointers rest on CAS, which replicated streams serialise only from nats-server 2.9.21.
    const casReplicas = replicatedCasIsSafe(nc.info?.version) ? 3 : 1;
    const casBuckets = platformLogSpec().filter((s) => s.kind === "bucket" && s.cas).map((s) => s.name);
    assert.ok(casBuckets.includes("rt_leases"));
    for (const r of results) assert.equal(r.replicas, casBuckets.includes(r.name) ? casReplicas : 3, r.name);
    const jsm = await jetstreamManager(nc);
    assert.equal((await jsm.streams.info("EVENTS")).config.num_replicas, 3);
    assert.equal((await jsm.streams.info(bucketStreamName("rt_members"))).config.num_replicas, 3);
    const again = await bootstrap(nc, platformLogSpec());
    assert.ok(again.every((r) => r.action === "unchanged"), JSON.stringify(again));
  } finally {
    await nc.close();
  }
});

test("bootstrap falls back to fewer replicas when the server refuses R3", async () => {
  await using server = await startNatsServer();
  const nc = await connectNats(server.url, "bootstrap-test");
  try {
    const results = await bootstrap(nc, platformLogSpec().slice(0, 2), { replicas: 3 });
    assert.ok(results.every((r) => r.action === "created" && r.replicas === 1), JSON.stringify(results));
  } finally {
    await nc.close();
  }
});
