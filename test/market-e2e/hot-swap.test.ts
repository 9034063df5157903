import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { loadConfig } from "../../src/config/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { PlatformNode } from "../../src/node/node.js";
import { componentsFor } from "../../src/node/roles.js";
import { BUCKETS } from "../../src/runtime/nats/index.js";
import { Lake } from "../../src/lake/index.js";
import { TradeLogPublisher } from "../../src/ingest/publisher.js";
import { featureVector } from "../../src/market/features.js";
import { loadModel, syntheticMarket, trainLeague } from "../../src/ml/index.js";
import { ArtifactStore, KvChampionStore, artifactKey, promotedPointer } from "../../src/mlops/index.js";
import { btcTrades } from "../market/fixtures.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { silverBars, tempDir } from "./support.js";

test("a node's symbol actors swap to a newly promoted champion at once, without a restart, and each bar names its model", async () => {
  await using server = await startNatsServer();
  const dataDir = tempDir("hot-swap-");
  const nc = await connect({ servers: server.url });
  const config = loadConfig(["--node-id", "swap1", "--roles", "market", "--data-dir", dataDir], { NATS_URL: server.url });
  const node = await PlatformNode.start({ config, nc, log: createLogger({ node: "swap1", level: "warn" }), components: componentsFor(config) });
  const publisher = await TradeLogPublisher.start(nc, { partitions: config.partitions });
  try {
    const trades = btcTrades();
    const half = Math.floor(trades.length / 2);
    for (const t of trades.slice(0, half)) publisher.accept(t);
    await publisher.flush();
    const before = await waitFor(async () => {
      const bars = await silverBars(nc, "BTCUSDT");
      return bars.filter((b) => b.features !== null).length >= 3 ? bars : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300, what: "warmed-up bars from the naive forecast" });
    assert.ok(before.every((b) => b.modelVersion === "naive"));

    // Promote a model the way the registry does: artifact in the lake, pointer in KV.
    const json = trainLeague(syntheticMarket({ rows: 300, phi: 0.4, seed: 3 }), { algorithms: ["elasticnet"] }).runs[0]!.model;
    const model = loadModel(json);
    const lake = Lake.open(config.lakeUri);
    await new ArtifactStore(lake.storage).write("BTCUSDT/v1", json, { version: "BTCUSDT/v1" } as never);
    const store = new KvChampionStore(await new Kvm(nc).open(BUCKETS.champions));
    await store.write("BTCUSDT", promotedPointer("BTCUSDT", null, { version: "BTCUSDT/v1", kind: model.kind, artifact: artifactKey("BTCUSDT/v1"), promotedAt: Date.now(), reason: "test" }), null);

    // The same live actors go on with the second half of the recording.
    for (const t of trades.slice(half)) publisher.accept(t);
    await publisher.flush();
    const after = await waitFor(async () => {
      const bars = await silverBars(nc, "BTCUSDT");
      return bars.some((b) => b.modelVersion === "BTCUSDT/v1") ? bars : undefined;
    }, { timeoutMs: 60_000, intervalMs: 300, what: "bars predicted by BTCUSDT/v1" });
    const swapped = after.filter((b) => b.modelVersion === "BTCUSDT/v1");
    for (const bar of swapped) {
      assert.ok(bar.features !== null);
      assert.equal(bar.prediction, model.predict(featureVector(bar.features!), bar.close), `bar ${bar.windowEnd} predicted by the champion`);
    }
    const firstSwapped = after.findIndex((b) => b.modelVersion === "BTCUSDT/v1");
    assert.ok(after.slice(firstSwapped).every((b) => b.modelVersion === "BTCUSDT/v1"), "every later bar uses the champion");
    const status = node.status();
    assert.equal(status.actors.restarts, 0, "nothing restarted");
  } finally {
    await publisher.close();
    await node.stop();
    await nc.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
});
