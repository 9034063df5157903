import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { bootstrap, platformLogSpec, BUCKETS } from "../../src/runtime/nats/index.js";
import { LocalStorage } from "../../src/lake/index.js";
import { syntheticMarket, trainLeague, type TrainingRun } from "../../src/ml/index.js";
import { FEATURE_NAMES, type Features } from "../../src/market/features.js";
import type { Bar } from "../../src/market/bar.js";
import {
  demotedPointer,
  ArtifactStore,
  ChampionCache,
  KvChampionStore,
  artifactKey,
  promotedPointer,
  rolledBackPointer,
  updatePointer,
  type ChampionPointer,
} from "../../src/mlops/index.js";
import type { Predictor } from "../../src/actors/symbol/index.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { tempDir } from "./support.js";

const LEAGUE = trainLeague(syntheticMarket({ rows: 300, phi: 0.4, seed: 9 }), { algorithms: ["elasticnet", "decision-tree", "gradient-boosting"] });

async function setup() {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  await bootstrap(nc, platformLogSpec());
  const kv = await new Kvm(nc).open(BUCKETS.champions);
  const dir = tempDir();
  const artifacts = new ArtifactStore(new LocalStorage(dir.path));
  const runs: TrainingRun[] = LEAGUE.runs;
  for (const [i, run] of runs.entries()) {
    await artifacts.write(`BTCUSDT/v${i + 1}`, run.model, { version: `BTCUSDT/v${i + 1}` } as never);
  }
  return {
    nc,
    kv,
    dir,
    storage: dir.path,
    store: new KvChampionStore(kv),
    async [Symbol.asyncDispose]() {
      await nc.close();
      await server[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    },
  };
}

const ref = (n: number) => ({ version: `BTCUSDT/v${n}`, kind: LEAGUE.runs[n - 1]!.kind, artifact: artifactKey(`BTCUSDT/v${n}`), promotedAt: n, reason: `test ${n}` });

function predictOnce(p: Predictor | undefined): number | undefined {
  const features = Object.fromEntries(FEATURE_NAMES.map((n, j) => [n, [0.001, 100, 99.5, 99.8, 99.7, 0.5, 0.0001][j]!])) as Features;
  return p?.predict(features, { close: 100 } as Bar);
}

test("compare-and-set: of two writers from the same revision exactly one wins; concurrent promotions are never lost", async () => {
  await using fx = await setup();
  const first = await fx.store.write("BTCUSDT", promotedPointer("BTCUSDT", null, ref(1)), null);
  assert.equal(typeof first, "number");
  assert.equal(await fx.store.write("BTCUSDT", promotedPointer("BTCUSDT", null, ref(2)), null), "conflict", "create over an existing key");
  const current = (await fx.store.read("BTCUSDT"))!;
  const a = fx.store.write("BTCUSDT", promotedPointer("BTCUSDT", current.pointer, ref(2)), current.revision);
  const b = fx.store.write("BTCUSDT", promotedPointer("BTCUSDT", current.pointer, ref(3)), current.revision);
  const results = await Promise.all([a, b]);
  assert.equal(results.filter((r) => r === "conflict").length, 1, JSON.stringify(results));

  // Two trainers promoting at once through the read-decide-CAS loop: both promotions end up in the chain.
  await Promise.all([2, 3].map((n) => updatePointer(fx.store, "ETHUSDT", (cur) => promotedPointer("ETHUSDT", cur, { ...ref(n), version: `ETHUSDT/v${n}`, artifact: artifactKey(`ETHUSDT/v${n}`) }))));
  const eth = (await fx.store.read("ETHUSDT"))!.pointer;
  assert.deepEqual([eth.version, ...eth.previous.map((p) => p.version)].sort(), ["ETHUSDT/v2", "ETHUSDT/v3"]);
  // A decision that declines leaves the pointer alone.
  assert.equal(await updatePointer(fx.store, "ETHUSDT", () => null), null);
  assert.deepEqual((await fx.store.list()).map((p) => p.symbol), ["BTCUSDT", "ETHUSDT"]);
});

test("ChampionCache: loads champions present at start, swaps on promotion and rollback, keeps serving when an artifact is missing", async () => {
  await using fx = await setup();
  await updatePointer(fx.store, "BTCUSDT", (cur) => promotedPointer("BTCUSDT", cur, ref(1)));
  const errors: unknown[] = [];
  await using cache = new ChampionCache({ kv: fx.kv, artifacts: new ArtifactStore(new LocalStorage(fx.storage)), onError: (e) => errors.push(e) });
  const changes: [string, string, string | null][] = [];
  cache.onChange((symbol, predictor, pointer) => changes.push([symbol, predictor.version, pointer?.version ?? null]));
  await cache.start();
  assert.equal(cache.get("BTCUSDT")?.version, "BTCUSDT/v1", "the champion present at start is ready when start() resolves");
  assert.equal(cache.get("ETHUSDT"), undefined);
  const v1Prediction = predictOnce(cache.get("BTCUSDT"));
  assert.ok(Number.isFinite(v1Prediction));

  await updatePointer(fx.store, "BTCUSDT", (cur) => promotedPointer("BTCUSDT", cur, ref(2)));
  await waitFor(() => cache.get("BTCUSDT")?.version === "BTCUSDT/v2", { what: "v2 in the cache" });
  assert.deepEqual(changes.at(-1), ["BTCUSDT", "BTCUSDT/v2", "BTCUSDT/v2"]);
  assert.notEqual(predictOnce(cache.get("BTCUSDT")), v1Prediction, "a different model answers");

  await updatePointer(fx.store, "BTCUSDT", (cur) => rolledBackPointer(cur, 5));
  await waitFor(() => cache.get("BTCUSDT")?.version === "BTCUSDT/v1", { what: "rollback to v1" });
  assert.equal(predictOnce(cache.get("BTCUSDT")), v1Prediction);
  assert.equal(cache.pointer("BTCUSDT")?.reason, "rollback from BTCUSDT/v2");

  // A pointer to an artifact that is not in the lake: reported, the old champion keeps serving.
  const broken: ChampionPointer = promotedPointer("BTCUSDT", cache.pointer("BTCUSDT"), { ...ref(3), version: "BTCUSDT/v7", artifact: artifactKey("BTCUSDT/v7") });
  const stored = (await fx.store.read("BTCUSDT"))!;
  await fx.store.write("BTCUSDT", broken, stored.revision);
  await waitFor(() => errors.length > 0, { what: "the load error" });
  await cache.settled();
  assert.equal(cache.get("BTCUSDT")?.version, "BTCUSDT/v1");

  // A second cache started later sees the same state at once.
  await using late = new ChampionCache({ kv: fx.kv, artifacts: new ArtifactStore(new LocalStorage(fx.storage)) });
  await updatePointer(fx.store, "BTCUSDT", (cur) => promotedPointer("BTCUSDT", cur, ref(3)));
  await late.start();
  assert.equal(late.get("BTCUSDT")?.version, "BTCUSDT/v3");
  await waitFor(() => cache.get("BTCUSDT")?.version === "BTCUSDT/v3");
  assert.deepEqual(cache.versions(), { BTCUSDT: "BTCUSDT/v3" });

  // A demotion: naive serves at once (no artifact to load), with the pointer kept; a rollback restores v3.
  await updatePointer(fx.store, "BTCUSDT", (cur) => demotedPointer(cur!, 6, "demoted BTCUSDT/v3: worse-than-naive"));
  await waitFor(() => cache.get("BTCUSDT")?.version === "naive", { what: "naive after the demotion" });
  assert.equal(predictOnce(cache.get("BTCUSDT")), 100);
  assert.deepEqual(changes.at(-1), ["BTCUSDT", "naive", "naive"]);
  assert.equal(cache.pointer("BTCUSDT")?.previous[0]?.version, "BTCUSDT/v3");
  await updatePointer(fx.store, "BTCUSDT", (cur) => rolledBackPointer(cur, 7));
  await waitFor(() => cache.get("BTCUSDT")?.version === "BTCUSDT/v3", { what: "v3 after rolling the demotion back" });

  // Deleting the pointer sends the symbol back to the naive forecast.
  await fx.kv.delete("BTCUSDT");
  await waitFor(() => cache.get("BTCUSDT")?.version === "naive", { what: "naive after delete" });
  assert.equal(predictOnce(cache.get("BTCUSDT")), 100);
});
