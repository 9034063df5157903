/**
 * The trainer's decisions replayed offline: a growing dataset gets a round every `everyRows`
 * rows (the watcher's 5-minute patrol is 30 bars of 10 s), each round a walk-forward league and
 * `pickChampion` against no champion, until one promotes. What bench/ml-honesty.ts counts (a
 * false promotion on a series nothing can predict, a detection on one that can be predicted) and
 * the tests check on a few seeds. Main thread, no pool or registry: the same league code the
 * pool's workers run.
 */
import type { Algorithm } from "./model-json.js";
import { sliceDataset, type Dataset } from "./dataset.js";
import { trainLeague, type TrainingRun } from "./league.js";
import { DEFAULT_PROMOTION_RULES, leagueRound, pickChampion, type PromotionDecision, type PromotionRules } from "./promotion.js";
import { firstTestableRows, walkForwardPlan, type WalkForwardOptions } from "./walk-forward.js";

export interface RoundsOptions {
  /** Rows added between rounds. */
  everyRows: number;
  /** First round once this many rows exist. Default everyRows. */
  firstRows?: number;
  /** Last round at most at this many rows. Default all rows. */
  maxRows?: number;
  algorithms?: readonly Algorithm[];
  rules?: PromotionRules;
  evaluation?: WalkForwardOptions;
}

export interface RoundsResult {
  /** Rounds that tested (held-out rows ≥ minTestRows); smaller ones are refused before any test. */
  tested: number;
  /** Rows of the dataset at the first promotion, or null. */
  promotedAtRows: number | null;
  winner: TrainingRun | null;
  /** The best run's decision of the last round. */
  last: PromotionDecision | null;
}

export function promotionRounds(ds: Dataset, o: RoundsOptions): RoundsResult {
  const rules = o.rules ?? DEFAULT_PROMOTION_RULES;
  const maxRows = Math.min(ds.rows, o.maxRows ?? ds.rows);
  let tested = 0;
  let last: PromotionDecision | null = null;
  const firstRows = firstTestableRows(rules.minTestRows, ds.horizon, o.evaluation);
  for (let n = o.firstRows ?? o.everyRows; n <= maxRows; n += o.everyRows) {
    const plan = walkForwardPlan(n, ds.horizon, o.evaluation);
    if (plan.heldOut.end - plan.heldOut.start < rules.minTestRows) continue;
    tested++;
    const prefix = sliceDataset(ds, 0, n);
    const league = trainLeague(prefix, { ...(o.algorithms ? { algorithms: o.algorithms } : {}), ...(o.evaluation ? { evaluation: o.evaluation } : {}) });
    const { winner, decisions } = pickChampion(league.runs, null, rules, { ...leagueRound(prefix, plan.heldOut), firstRows });
    const best = [...decisions].sort((a, b) => a.run.metrics.rmse - b.run.metrics.rmse)[0];
    last = best?.decision ?? null;
    if (winner) return { tested, promotedAtRows: n, winner, last: decisions.find((d) => d.run === winner)!.decision };
  }
  return { tested, promotedAtRows: null, winner: null, last };
}
