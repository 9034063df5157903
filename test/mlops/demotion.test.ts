/**
 * Demotion in a training round (issue 15): the live champion is reviewed against naive on the
 * bars it served; significantly worse → naive serves (pointer, history row, event), no promotion
 * during the cooldown, and a new champion is not reviewed before it has live bars of its own.
 * PostgreSQL, a temp lake and the real pool (trainer-fixture.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { championHistory, listRuns } from "../../src/db/index.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import { artifactKey, promotedPointer, type ChampionPointer, type TrainerOptions } from "../../src/mlops/index.js";
import { ar1Trades, onlineBars } from "./support.js";
import { MemoryChampionStore, trainerFixture } from "./trainer-fixture.js";

const T0 = 1_700_000_000_000;
const BARS = 400;
const END = T0 + BARS * 10_000;

function champion(symbol: string, version: string): ChampionPointer {
  return promotedPointer(symbol, null, { version, kind: "elasticnet", artifact: artifactKey(version), promotedAt: T0, reason: "test champion" });
}

/** AR(1) bars (an elastic net promotes on them) whose newest `served` bars were predicted by `version` with `predict(bar, next)`. */
function servedBars(symbol: string, version: string, served: number, predict: (bar: SilverBar, next: SilverBar, k: number) => number): SilverBar[] {
  const bars = onlineBars(ar1Trades(symbol, BARS, T0), symbol);
  for (let k = bars.length - served; k < bars.length - 1; k++) {
    bars[k] = { ...bars[k]!, modelVersion: version, prediction: predict(bars[k]!, bars[k + 1]!, k) };
  }
  return bars;
}

/** Worse than naive: this close moved by ±0.4 % (returns are ~0.25 %), alternating. */
const noisy = (bar: SilverBar, _next: SilverBar, k: number) => bar.close * (1 + (k % 2 === 0 ? 0.004 : -0.004));

test("a champion significantly worse than naive is demoted; no promotion in the cooldown; the next champion waits for its own live bars", { timeout: 120_000 }, async () => {
  await using fx = await trainerFixture();
  const clock = { now: END };
  const trainer = (more: Partial<TrainerOptions> = {}) => fx.trainer(["elasticnet"], undefined, { now: () => clock.now, ...more });
  fx.source.add(servedBars("DEMUSDT", "DEMUSDT/v7", 300, noisy));
  await fx.store.write("DEMUSDT", champion("DEMUSDT", "DEMUSDT/v7"), null);

  const first = await trainer().train("DEMUSDT", "patrol");
  assert.equal(first.review?.version, "DEMUSDT/v7");
  assert.equal(first.review?.demoted, true);
  const review = first.review!.review;
  assert.equal(review.verdict, "demote");
  assert.ok(review.verdict === "demote" && review.rmse > review.rmseNaive && review.pValue <= 0.01, JSON.stringify(review));
  assert.equal(review.rows, 299, "every served bar with a next bar one slide later");

  const pointer = (await fx.store.read("DEMUSDT"))!.pointer;
  assert.equal(pointer.version, "naive");
  assert.equal(pointer.kind, "naive");
  assert.deepEqual(pointer.previous.map((p) => p.version), ["DEMUSDT/v7"]);
  assert.match(pointer.reason, /^demoted DEMUSDT\/v7: worse-than-naive: live RMSE .* over the last 299 predictions, DM t .*, p .* ≤ 0\.01$/);

  const [row] = await championHistory(fx.db, "DEMUSDT");
  assert.equal(row!.action, "demoted");
  assert.equal(row!.modelVersion, "naive");
  assert.equal(row!.reason, pointer.reason);
  const demoted = fx.events.find((e) => e.type === "demoted");
  assert.ok(demoted && demoted.type === "demoted" && demoted.from === "DEMUSDT/v7" && demoted.to === "naive");

  // The AR(1) data gives a significant elastic net, but the symbol is cooling down.
  assert.equal(first.promotion?.promoted, false);
  assert.match(first.promotion!.reason, /^cooling-down: elasticnet passed \(.*\), but DEMUSDT\/v7 was demoted 0 min ago; promotions resume in 60 min$/);
  assert.equal(first.champion, "naive");
  const [waiting] = (await listRuns(fx.db, { symbol: "DEMUSDT" })).filter((r) => r.decision?.startsWith("cooling-down"));
  assert.match(waiting!.decision!, /^cooling-down: beats-naive: .*; but DEMUSDT\/v7 was demoted 0 min ago/);

  clock.now = END + 30 * 60_000;
  const cooling = await trainer().train("DEMUSDT", "patrol");
  assert.equal(cooling.review, null, "naive serves: nothing to review");
  assert.match(cooling.promotion!.reason, /^cooling-down: .* demoted 30 min ago; promotions resume in 30 min$/);

  clock.now = END + 61 * 60_000;
  const after = await trainer().train("DEMUSDT", "patrol");
  assert.equal(after.promotion?.promoted, true, after.promotion?.reason);
  const next = (await fx.store.read("DEMUSDT"))!.pointer;
  assert.equal(next.version, "DEMUSDT/v1");
  assert.equal((await listRuns(fx.db, { symbol: "DEMUSDT", limit: 1 }))[0]!.decision?.startsWith("promoted DEMUSDT/v1: beats-naive: "), true);
  assert.deepEqual(next.previous.map((p) => p.version), ["naive", "DEMUSDT/v7"]);
  assert.deepEqual((await championHistory(fx.db, "DEMUSDT")).map((h) => [h.action, h.modelVersion, h.previousModelVersion]), [["promoted", "DEMUSDT/v1", "naive"], ["demoted", "naive", null]]);

  // The new champion has served no bar yet: reviewed, never demoted on the old champion's errors.
  const fresh = await trainer().train("DEMUSDT", "patrol");
  assert.equal(fresh.review?.review.verdict, "too-few-rows");
  assert.equal(fresh.review?.demoted, false);
  assert.equal((await fx.store.read("DEMUSDT"))!.pointer.version, "DEMUSDT/v1");
});

test("a champion better than naive is kept, and one with fewer live bars than the minimum is not tested", { timeout: 120_000 }, async () => {
  await using fx = await trainerFixture();
  const trainer = fx.trainer(["elasticnet"], undefined, { now: () => END });
  // Half the realised move: better than naive on every bar.
  fx.source.add(servedBars("GOODUSDT", "GOODUSDT/v3", 300, (bar, next) => bar.close + 0.5 * (next.close - bar.close)));
  await fx.store.write("GOODUSDT", champion("GOODUSDT", "GOODUSDT/v3"), null);
  const good = await trainer.train("GOODUSDT", "patrol");
  assert.equal(good.review?.review.verdict, "keep");
  assert.ok(good.review!.review.verdict === "keep" && good.review!.review.skill > 0.3, JSON.stringify(good.review));
  // (The round may promote a new model over it; the v3 artifact is not in the lake to be re-scored.)
  assert.notEqual((await fx.store.read("GOODUSDT"))!.pointer.version, "naive");
  assert.ok(fx.events.some((e) => e.type === "champion-reviewed" && e.symbol === "GOODUSDT" && e.review.verdict === "keep"));

  fx.source.add(servedBars("FEWUSDT", "FEWUSDT/v1", 60, noisy));
  await fx.store.write("FEWUSDT", champion("FEWUSDT", "FEWUSDT/v1"), null);
  const few = await trainer.train("FEWUSDT", "patrol");
  assert.deepEqual({ verdict: few.review?.review.verdict, rows: few.review?.review.rows }, { verdict: "too-few-rows", rows: 59 });
  assert.equal((await fx.store.read("FEWUSDT"))!.pointer.version, "FEWUSDT/v1");
  assert.equal(fx.events.filter((e) => e.type === "demoted").length, 0);
});

test("a champion replaced while it was being reviewed is left alone (compare-and-set on the reviewed pointer)", { timeout: 120_000 }, async () => {
  await using fx = await trainerFixture();
  // The first read (the review's) returns v7, and another node promotes v8 right after it.
  class RacingStore extends MemoryChampionStore {
    #raced = false;
    override async read(symbol: string) {
      const seen = await super.read(symbol);
      if (!this.#raced && seen) {
        this.#raced = true;
        await super.write(symbol, promotedPointer(symbol, seen.pointer, { version: "RACEUSDT/v8", kind: "elasticnet", artifact: artifactKey("RACEUSDT/v8"), promotedAt: END, reason: "other node" }), seen.revision);
      }
      return seen;
    }
  }
  const store = new RacingStore();
  await store.write("RACEUSDT", champion("RACEUSDT", "RACEUSDT/v7"), null);
  fx.source.add(servedBars("RACEUSDT", "RACEUSDT/v7", 300, noisy));
  const outcome = await fx.trainer(["elasticnet"], undefined, { now: () => END, store }).train("RACEUSDT", "patrol");
  assert.equal(outcome.review?.review.verdict, "demote");
  assert.equal(outcome.review?.demoted, false);
  assert.equal((await store.read("RACEUSDT"))!.pointer.version === "naive", false);
  assert.deepEqual(await championHistory(fx.db, "RACEUSDT").then((h) => h.filter((r) => r.action === "demoted")), []);
});
