import { test } from "node:test";
import assert from "node:assert/strict";
import { syntheticMarket, trainLeague, loadModel } from "../../src/ml/index.js";
import { LocalStorage } from "../../src/lake/index.js";
import { FEATURE_NAMES, type Features } from "../../src/market/features.js";
import type { Bar } from "../../src/market/bar.js";
import {
  ArtifactConflict,
  ArtifactNotFound,
  ArtifactStore,
  InvalidChampionRecord,
  NoPreviousChampion,
  POINTER_HISTORY,
  artifactKey,
  demotedPointer,
  parseModelVersion,
  parsePointer,
  predictorFromModel,
  promotedPointer,
  rolledBackPointer,
  type ChampionPointer,
  type ChampionRef,
} from "../../src/mlops/index.js";
import { tempDir } from "./support.js";

const ref = (n: number, at = n * 1000): ChampionRef => ({ version: `BTCUSDT/v${n}`, kind: "elasticnet", artifact: artifactKey(`BTCUSDT/v${n}`), promotedAt: at, reason: `r${n}` });

test("versions and artifact keys", () => {
  assert.deepEqual(parseModelVersion("BTCUSDT/v12"), { symbol: "BTCUSDT", n: 12 });
  assert.equal(artifactKey("ETHUSDT/v3"), "models/ETHUSDT/v3/model.json");
  for (const bad of ["BTCUSDT/v0", "btcusdt/v1", "BTCUSDT/3", "BTCUSDT/v1/x", ""]) assert.throws(() => parseModelVersion(bad), InvalidChampionRecord, bad);
});

test("promotion pushes the old champion onto the history; rollback restores it and pops it", () => {
  let p: ChampionPointer = promotedPointer("BTCUSDT", null, ref(1));
  assert.deepEqual(p.previous, []);
  p = promotedPointer("BTCUSDT", p, ref(2));
  p = promotedPointer("BTCUSDT", p, ref(3));
  assert.equal(p.version, "BTCUSDT/v3");
  assert.deepEqual(p.previous.map((r) => r.version), ["BTCUSDT/v2", "BTCUSDT/v1"]);
  const back = rolledBackPointer(p, 99_000);
  assert.equal(back.version, "BTCUSDT/v2");
  assert.equal(back.artifact, "models/BTCUSDT/v2/model.json");
  assert.equal(back.promotedAt, 99_000);
  assert.equal(back.reason, "rollback from BTCUSDT/v3");
  assert.deepEqual(back.previous.map((r) => r.version), ["BTCUSDT/v1"]);
  const again = rolledBackPointer(back, 100_000);
  assert.equal(again.version, "BTCUSDT/v1");
  assert.throws(() => rolledBackPointer(again, 1), NoPreviousChampion);
  assert.throws(() => rolledBackPointer(null, 1), NoPreviousChampion);
  assert.throws(() => promotedPointer("ETHUSDT", null, ref(1)), InvalidChampionRecord);
});

test("the pointer history is bounded", () => {
  let p: ChampionPointer | null = null;
  for (let n = 1; n <= POINTER_HISTORY + 5; n++) p = promotedPointer("BTCUSDT", p, ref(n));
  assert.equal(p!.previous.length, POINTER_HISTORY);
  assert.equal(p!.previous[0]!.version, `BTCUSDT/v${POINTER_HISTORY + 4}`);
});

test("a demotion leaves naive serving with the demoted champion on top of the history; a rollback restores it; naive is not demoted twice", () => {
  const v2 = promotedPointer("BTCUSDT", promotedPointer("BTCUSDT", null, ref(1)), ref(2));
  const naive = demotedPointer(v2, 50_000, "demoted BTCUSDT/v2: worse-than-naive");
  assert.deepEqual({ ...naive, previous: naive.previous.map((r) => r.version) }, { symbol: "BTCUSDT", version: "naive", kind: "naive", artifact: "", promotedAt: 50_000, reason: "demoted BTCUSDT/v2: worse-than-naive", previous: ["BTCUSDT/v2", "BTCUSDT/v1"] });
  assert.deepEqual(parsePointer(JSON.parse(JSON.stringify(naive)), "BTCUSDT"), naive);
  assert.throws(() => demotedPointer(naive, 1, "again"), InvalidChampionRecord);
  const back = rolledBackPointer(naive, 60_000);
  assert.equal(back.version, "BTCUSDT/v2");
  assert.equal(back.reason, "rollback from naive");
  // A champion promoted after a demotion keeps "naive" in its history: rolling it back restores naive.
  const v3 = promotedPointer("BTCUSDT", naive, ref(3));
  assert.deepEqual(v3.previous.map((r) => r.version), ["naive", "BTCUSDT/v2", "BTCUSDT/v1"]);
  assert.equal(rolledBackPointer(v3, 70_000).version, "naive");
  // "naive" is only valid as the naive kind without an artifact.
  assert.throws(() => parsePointer({ ...naive, kind: "elasticnet" }), InvalidChampionRecord);
  assert.throws(() => parsePointer({ ...naive, artifact: "models/x" }), InvalidChampionRecord);
});

test("parsePointer accepts its own JSON and refuses broken or misfiled pointers", () => {
  const p = promotedPointer("BTCUSDT", promotedPointer("BTCUSDT", null, ref(1)), ref(2));
  assert.deepEqual(parsePointer(JSON.parse(JSON.stringify(p)), "BTCUSDT"), p);
  assert.throws(() => parsePointer(p, "ETHUSDT"), InvalidChampionRecord);
  assert.throws(() => parsePointer({ ...p, previous: [{ version: "x" }] }), InvalidChampionRecord);
  assert.throws(() => parsePointer({ ...p, promotedAt: "now" }), InvalidChampionRecord);
  assert.throws(() => parsePointer(null), InvalidChampionRecord);
});

test("artifact round trip: every league model written to the lake predicts bit-identically when loaded, also through the Predictor adapter", async () => {
  using dir = tempDir();
  const store = new ArtifactStore(new LocalStorage(dir.path));
  const ds = syntheticMarket({ rows: 400, phi: 0.4, seed: 3 });
  const league = trainLeague(ds);
  const p = FEATURE_NAMES.length;
  for (const [i, run] of league.runs.entries()) {
    const version = `BTCUSDT/v${i + 1}`;
    const meta = { version, symbol: "BTCUSDT", runId: `run-${i}`, kind: run.kind, horizon: run.horizon, featureNames: run.model.featureNames, metrics: { rmse: run.metrics.rmse }, params: run.params, window: run.window, trainRows: run.rows.train, createdAt: 1 };
    const key = await store.write(version, run.model, meta);
    assert.equal(key, `models/BTCUSDT/v${i + 1}/model.json`);
    assert.equal(await store.write(version, run.model, meta), key, "rewriting the same bytes is a no-op");
    const original = loadModel(run.model);
    const fresh = new ArtifactStore(new LocalStorage(dir.path));
    const loaded = await fresh.load(version);
    assert.equal(loaded.version, version);
    assert.equal(loaded.kind, run.kind);
    assert.deepEqual((await fresh.metadata(version))?.runId, `run-${i}`);
    const predictor = predictorFromModel(loaded, version);
    assert.equal(predictor.version, version);
    for (let r = 0; r < ds.rows; r += 37) {
      const x = Array.from(ds.x.subarray(r * p, (r + 1) * p));
      const features = Object.fromEntries(FEATURE_NAMES.map((n, j) => [n, x[j]!])) as Features;
      const bar = { close: ds.last[r]! } as Bar;
      const expected = original.predict(x, ds.last[r]!);
      assert.equal(loaded.predict(x, ds.last[r]!), expected);
      assert.equal(predictor.predict(features, bar), expected);
    }
  }
  const other = league.runs[1]!.model;
  await assert.rejects(store.write("BTCUSDT/v1", other, { version: "BTCUSDT/v1" } as never), ArtifactConflict);
  await assert.rejects(store.load("BTCUSDT/v99"), ArtifactNotFound);
});

test("a model on columns the SymbolActor does not compute is refused by the adapter", () => {
  const ds = syntheticMarket({ rows: 200, phi: 0.4 });
  const run = trainLeague({ ...ds, featureNames: ["volatility", "lag_1", "lag_3", "ma_5", "ma_10", "momentum", "rsi"] }, { algorithms: ["elasticnet"] }).runs[0]!;
  assert.throws(() => predictorFromModel(loadModel(run.model), "BTCUSDT/v1"), InvalidChampionRecord);
});
