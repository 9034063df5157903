import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_DEMOTION_RULES, reviewLive, validateDemotionRules, type LiveError } from "../../src/ml/demotion.js";
import { seededRandom } from "../../src/runtime/random.js";

function gauss(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** `n` live errors: the realised move is N(0, 1); the champion predicted `predicted(move, rng)`. */
function errors(n: number, seed: number, predicted: (move: number, rng: () => number) => number): LiveError[] {
  const rng = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const move = gauss(rng);
    return { time: i * 10_000, error: move - predicted(move, rng), naiveError: move };
  });
}

test("fewer live predictions than the minimum: not tested", () => {
  const r = reviewLive(errors(99, 1, () => 5), DEFAULT_DEMOTION_RULES);
  assert.deepEqual(r, { verdict: "too-few-rows", rows: 99, detail: "99 of 100 live predictions" });
});

test("a champion whose predicted moves are pure noise is demoted; one with skill is kept, on every seed", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const noise = reviewLive(errors(400, seed, (_m, rng) => 0.5 * gauss(rng)));
    assert.equal(noise.verdict, "demote", `seed ${seed}: ${noise.detail}`);
    const skilled = reviewLive(errors(400, seed, (m, rng) => 0.3 * m + 0.1 * gauss(rng)));
    assert.equal(skilled.verdict, "keep", `seed ${seed}: ${skilled.detail}`);
    assert.ok(skilled.verdict === "keep" && skilled.skill > 0);
  }
});

test("predicting no move is naive itself: never demoted", () => {
  const r = reviewLive(errors(500, 3, () => 0));
  assert.equal(r.verdict, "keep");
  assert.ok(r.verdict === "keep" && r.rmse === r.rmseNaive && r.pValue === 0.5, r.detail);
});

test("only the newest `window` predictions are tested: an old bad stretch is forgiven once it leaves the window", () => {
  const bad = errors(300, 5, (_m, rng) => gauss(rng));
  const good = errors(720, 6, (m) => 0.5 * m).map((e) => ({ ...e, time: e.time + 3_000_000 }));
  assert.equal(reviewLive(bad).verdict, "demote");
  const r = reviewLive([...bad, ...good]);
  assert.equal(r.verdict, "keep");
  assert.equal(r.verdict === "keep" && r.rows, 720);
  assert.match(r.detail, /^live RMSE .* vs naive .* over the last 720 predictions, DM t -?\d+\.\d\d, p .* > 0\.01$/);
});

test("demotion rules are validated", () => {
  assert.throws(() => validateDemotionRules({ ...DEFAULT_DEMOTION_RULES, minLiveRows: 5 }), /minLiveRows must be an integer ≥ 10/);
  assert.throws(() => validateDemotionRules({ ...DEFAULT_DEMOTION_RULES, window: 50 }), /window must be an integer ≥ minLiveRows/);
  assert.throws(() => validateDemotionRules({ ...DEFAULT_DEMOTION_RULES, alpha: 0.5 }), /alpha must be in \(0, 0\.5\)/);
  assert.throws(() => validateDemotionRules({ ...DEFAULT_DEMOTION_RULES, cooldownMs: -1 }), /cooldownMs must be ≥ 0/);
});
