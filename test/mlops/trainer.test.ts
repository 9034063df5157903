/**
 * Trainer rules on PostgreSQL (fresh schema), a temp lake and the real pool; the champion store
 * is an in-memory ChampionStore with the same compare-and-set contract (the KV one is tested
 * against a real nats-server in champion-cache.test.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { migrate, listRuns, listModelVersions } from "../../src/db/index.js";
import { LocalStorage } from "../../src/lake/index.js";
import { TrainingPool } from "../../src/ml/pool/index.js";
import { walkForwardPlan } from "../../src/ml/index.js";
import { ArtifactStore, InMemorySilverSource, Trainer, artifactKey, promotedPointer, type ChampionPointer, type ChampionStore, type MlopsEvent } from "../../src/mlops/index.js";
import { postgresBackend } from "../db/fixtures.js";
import { ar1Trades } from "./web-fixture.js";
import { onlineBars, tempDir } from "./support.js";

class MemoryChampionStore implements ChampionStore {
  readonly entries = new Map<string, { pointer: ChampionPointer; revision: number }>();
  #revision = 0;
  async read(symbol: string) {
    return this.entries.get(symbol) ?? null;
  }
  async write(symbol: string, pointer: ChampionPointer, expected: number | null) {
    if ((this.entries.get(symbol)?.revision ?? null) !== expected) return "conflict" as const;
    this.entries.set(symbol, { pointer, revision: ++this.#revision });
    return this.#revision;
  }
  async list() {
    return [...this.entries.values()].map((e) => e.pointer);
  }
}

async function fixture() {
  const db = await postgresBackend().open();
  await migrate(db);
  const dir = tempDir();
  const pool = new TrainingPool({ maxThreads: 1 });
  const store = new MemoryChampionStore();
  const source = new InMemorySilverSource();
  const events: MlopsEvent[] = [];
  const trainer = (algorithms?: ("elasticnet" | "gradient-boosting")[], maxBars?: number) =>
    new Trainer({ source, pool, db, store, artifacts: new ArtifactStore(new LocalStorage(dir.path)), events: (e) => events.push(e), ...(algorithms ? { algorithms } : {}), ...(maxBars ? { maxBars } : {}) });
  return {
    db, store, source, events, trainer,
    async [Symbol.asyncDispose]() {
      await pool.close({ force: true });
      await db[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    },
  };
}

test("a random walk: every run is recorded, nothing beats naive significantly, nothing is registered or promoted", { timeout: 60_000 }, async () => {
  await using fx = await fixture();
  fx.source.add(onlineBars(ar1Trades("RWUSDT", 400, 1_700_000_000_000, 0, 5), "RWUSDT"));
  const outcome = await fx.trainer().train("RWUSDT", "admin");
  assert.equal(outcome.status, "trained");
  assert.equal(outcome.runs.length, 4);
  assert.equal(outcome.promotion?.promoted, false);
  assert.match(outcome.promotion!.reason, /^(not-better-than-naive|not-significant-vs-naive)/);
  assert.equal(outcome.champion, null);
  assert.equal((await listRuns(fx.db, { symbol: "RWUSDT" })).filter((r) => r.status === "finished").length, 4);
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
  await using fx = await fixture();
  fx.source.add(onlineBars(ar1Trades("FEWUSDT", 20, 1_700_000_000_000), "FEWUSDT"));
  const t = new Trainer({ source: fx.source, pool: null as never, db: fx.db, store: fx.store, artifacts: null as never, minRows: 1 });
  const outcome = await t.train("FEWUSDT", "hunt");
  assert.equal(outcome.status, "insufficient-data");
  assert.ok(outcome.rows > 1 && outcome.rows < 14, `rows ${outcome.rows}`);
  assert.deepEqual(await listRuns(fx.db, { symbol: "FEWUSDT" }), []);
  assert.throws(() => new Trainer({ source: fx.source, pool: null as never, db: fx.db, store: fx.store, artifacts: null as never, minRows: 0 }), RangeError);
});

test("a champion whose artifact is gone cannot be re-scored: reported, and candidates face naive only", { timeout: 60_000 }, async () => {
  await using fx = await fixture();
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
