/**
 * Trainer rules on PostgreSQL (fresh schema), a temp lake and the real pool; the champion store
 * is an in-memory ChampionStore with the same compare-and-set contract (the KV one is tested
 * against a real nats-server in champion-cache.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { listRuns, listModelVersions } from "../../src/db/index.js";
import { walkForwardPlan } from "../../src/ml/index.js";
import { Trainer, artifactKey, promotedPointer } from "../../src/mlops/index.js";
import { ar1Trades, onlineBars } from "./support.js";
import { trainerFixture } from "./trainer-fixture.js";

test("a random walk: every run is recorded, nothing beats naive significantly, nothing is registered or promoted", { timeout: 60_000 }, async () => {
  await using fx = await trainerFixture();
  fx.source.add(onlineBars(ar1Trades("RWUSDT", 400, 1_700_000_000_000, 0, 5), "RWUSDT"));
  const outcome = await fx.trainer().train("RWUSDT", "admin");
  assert.equal(outcome.status, "trained");
  assert.equal(outcome.runs.length, 4);
  assert.equal(outcome.promotion?.promoted, false);
  assert.match(outcome.promotion!.reason, /^(not-better-than-naive|not-significant-vs-naive)/);
  assert.equal(outcome.champion, null);
  const finished = (await listRuns(fx.db, { symbol: "RWUSDT" })).filter((r) => r.status === "finished");
  assert.equal(finished.length, 4);
  // Every run says why it was not promoted.
  for (const r of finished) assert.match(r.decision ?? "", /^(not-better-than-naive|not-significant-vs-naive|outranked): /, r.algorithm);
  assert.deepEqual(await listModelVersions(fx.db, "RWUSDT"), []);
  assert.equal(fx.store.entries.size, 0);
  assert.ok(fx.events.some((e) => e.type === "not-promoted" && e.champion === null));
  // maxBars: only the newest bars are used (150 bars → 140 rows after warm-up and the unlabelled last bar).
  const capped = await fx.trainer(["elasticnet"], 150).train("RWUSDT", "admin");
  assert.equal(capped.rows, 140);
  const newest = (await listRuns(fx.db, { symbol: "RWUSDT", limit: 1 }))[0]!;
  const plan = walkForwardPlan(140);
  assert.deepEqual([newest.trainRows, newest.testRows], [plan.folds.at(-1)!.train.end, plan.heldOut.end - plan.heldOut.start]);
});

test("too few rows for the split is 'insufficient data' even with minRows 1; nothing is recorded", async () => {
  await using fx = await trainerFixture();
  fx.source.add(onlineBars(ar1Trades("FEWUSDT", 20, 1_700_000_000_000), "FEWUSDT"));
  const t = new Trainer({ source: fx.source, pool: null as never, db: fx.db, store: fx.store, artifacts: null as never, minRows: 1 });
  const outcome = await t.train("FEWUSDT", "hunt");
  assert.equal(outcome.status, "insufficient-data");
  assert.ok(outcome.rows > 1 && outcome.rows < 14, `rows ${outcome.rows}`);
  assert.deepEqual(await listRuns(fx.db, { symbol: "FEWUSDT" }), []);
  assert.throws(() => new Trainer({ source: fx.source, pool: null as never, db: fx.db, store: fx.store, artifacts: null as never, minRows: 0 }), RangeError);
});

test("a champion whose artifact is gone cannot be re-scored: reported, and candidates face naive only", { timeout: 60_000 }, async () => {
  await using fx = await trainerFixture();
  fx.source.add(onlineBars(ar1Trades("SYNUSDT", 400, 1_700_000_000_000), "SYNUSDT"));
  const lost = promotedPointer("SYNUSDT", null, { version: "SYNUSDT/v9", kind: "elasticnet", artifact: artifactKey("SYNUSDT/v9"), promotedAt: 1, reason: "old" });
  await fx.store.write("SYNUSDT", lost, null);
  const outcome = await fx.trainer(["elasticnet"]).train("SYNUSDT", "admin");
  assert.equal(outcome.promotion?.promoted, true, outcome.promotion?.reason);
  assert.ok(fx.events.some((e) => e.type === "warning" && /cannot re-score champion SYNUSDT\/v9/.test(e.message)));
  const pointer = (await fx.store.read("SYNUSDT"))!.pointer;
  assert.equal(pointer.version, "SYNUSDT/v1");
  assert.deepEqual(pointer.previous.map((p) => p.version), ["SYNUSDT/v9"], "the lost champion stays in the history");
  // Trained again on the same data: no held-out row is newer than the champion's data, nothing to test it on: kept.
  const again = await fx.trainer(["elasticnet"]).train("SYNUSDT", "patrol");
  assert.equal(again.promotion?.promoted, false);
  assert.match(again.promotion!.reason, /^too-few-rows-vs-champion: 0 held-out rows/);
  assert.equal(again.champion, "SYNUSDT/v1");
});
