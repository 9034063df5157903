/**
 * The promotion rule's error rates in miniature (bench/ml-honesty.ts measures them on hundreds
 * of series): on a few seeded random walks, a round every 30 bars (5 minutes) promotes nothing,
 * while a strong AR(1) is promoted by the same rounds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { barSeries, type SeriesFamily } from "../../src/ml/bar-series.js";
import { promotionRounds } from "../../src/ml/promotion-rounds.js";
import { DEFAULT_PROMOTION_RULES, SINGLE_SPLIT_80_20 } from "../../src/ml/index.js";
import { buildDataset } from "../../src/mlops/dataset.js";

const dataset = (family: SeriesFamily, bars: number, seed: number, phi?: number) =>
  buildDataset(barSeries({ family, bars, seed, ...(phi === undefined ? {} : { phi }) })).dataset;

test("random walks: rounds every 5 minutes over 1,000 bars promote nothing, each with a reason", () => {
  for (const family of ["gaussian", "regime", "fat-tails"] as const) {
    for (const seed of [1, 2]) {
      const r = promotionRounds(dataset(family, 1_000, seed), { everyRows: 30 });
      assert.ok(r.tested >= 28, `${family}/${seed}: ${r.tested} rounds tested`);
      assert.equal(r.promotedAtRows, null, `${family}/${seed}: promoted at ${r.promotedAtRows} rows: ${r.last?.detail}`);
      assert.match(r.last!.reason, /^(not-better-than-naive|not-significant-vs-naive)$/);
    }
  }
});

test("the old rule's ingredients promote on the same random walks: one 80/20 cut, 5 % per round, few test rows", () => {
  // 5 % at every round (one round per day, every round the first) on an 80/20 split with 4 test rows allowed — what the rule replaced.
  const loose = { ...DEFAULT_PROMOTION_RULES, roundsPerDay: 1, rowsPerRound: 1_000_000_000, minTestRows: 4 };
  let promoted = 0;
  for (const family of ["gaussian", "regime", "fat-tails"] as const) {
    for (const seed of [1, 2]) {
      const r = promotionRounds(dataset(family, 1_000, seed), { everyRows: 30, rules: loose, evaluation: SINGLE_SPLIT_80_20 });
      if (r.promotedAtRows !== null) promoted++;
    }
  }
  assert.ok(promoted >= 2, `the loose rule promoted on ${promoted} of 6 random walks`);
});

test("AR(1) returns with φ 0.6: promoted within 500 bars", () => {
  for (const seed of [1, 2, 3]) {
    const r = promotionRounds(dataset("ar1", 500, seed, 0.6), { everyRows: 30 });
    assert.notEqual(r.promotedAtRows, null, `seed ${seed}: ${r.last?.reason}: ${r.last?.detail}`);
    assert.equal(r.winner!.metrics.skill > 0, true);
  }
});
