import type { HeldOutWindow } from "./league.js";
import type { Metrics } from "./metrics.js";

/** A model's score on one held-out window (a TrainingRun, or the champion re-scored by scoreModel). */
export interface WindowScore {
  window: HeldOutWindow;
  metrics: Pick<Metrics, "rmse" | "rmseNaive" | "skill" | "dmStat">;
}

export interface PromotionRules {
  /** Least skill against naive (1 − rmse / rmseNaive). Default 0: any strict improvement. */
  minSkill: number;
  /**
   * Least Diebold–Mariano statistic against naive. Default 1.645 (one-sided 5%): on a random
   * walk a model that happens to edge out naive by noise is not promoted.
   */
  minDmStat: number;
  /** Least relative RMSE improvement over the champion. Default 0: strictly lower RMSE. */
  minImprovement: number;
}

export const DEFAULT_PROMOTION_RULES: PromotionRules = { minSkill: 0, minDmStat: 1.645, minImprovement: 0 };

export type PromotionDecision =
  | { promote: true; reason: "beats-naive" | "beats-naive-and-champion"; detail: string }
  | {
      promote: false;
      reason: "window-mismatch" | "not-better-than-naive" | "not-significant-vs-naive" | "not-better-than-champion";
      detail: string;
    };

export function sameWindow(a: HeldOutWindow, b: HeldOutWindow): boolean {
  return a.from === b.from && a.to === b.to && a.rows === b.rows;
}

/**
 * A candidate is promoted only if it beats the naive forecast (by skill and significance) and
 * the current champion, all measured on the same held-out window. The naive RMSE comes from the
 * candidate's own metrics, so it is by construction on the candidate's window.
 */
export function decidePromotion(
  candidate: WindowScore,
  champion: WindowScore | null,
  rules: PromotionRules = DEFAULT_PROMOTION_RULES,
): PromotionDecision {
  const m = candidate.metrics;
  if (champion && !sameWindow(candidate.window, champion.window)) {
    return { promote: false, reason: "window-mismatch", detail: `candidate window ${fmt(candidate.window)} ≠ champion window ${fmt(champion.window)}` };
  }
  if (!(m.rmse < m.rmseNaive) || !(m.skill > rules.minSkill)) {
    return { promote: false, reason: "not-better-than-naive", detail: `rmse ${m.rmse} vs naive ${m.rmseNaive}, skill ${m.skill} ≤ ${rules.minSkill}` };
  }
  if (!(m.dmStat >= rules.minDmStat)) {
    return { promote: false, reason: "not-significant-vs-naive", detail: `Diebold–Mariano ${m.dmStat.toFixed(2)} < ${rules.minDmStat}` };
  }
  if (!champion) return { promote: true, reason: "beats-naive", detail: `skill ${m.skill.toFixed(4)}, no champion yet` };
  const bar = champion.metrics.rmse * (1 - rules.minImprovement);
  if (!(m.rmse < bar)) {
    return { promote: false, reason: "not-better-than-champion", detail: `rmse ${m.rmse} ≥ champion's ${champion.metrics.rmse} (bar ${bar})` };
  }
  return { promote: true, reason: "beats-naive-and-champion", detail: `rmse ${m.rmse} < champion ${champion.metrics.rmse}, skill ${m.skill.toFixed(4)}` };
}

/**
 * The league's winner: the lowest-RMSE run among those `decidePromotion` accepts, or null
 * (keep the current champion, or none, and serve the naive forecast).
 */
export function pickChampion<R extends WindowScore>(
  runs: readonly R[],
  champion: WindowScore | null,
  rules: PromotionRules = DEFAULT_PROMOTION_RULES,
): { winner: R | null; decisions: { run: R; decision: PromotionDecision }[] } {
  const decisions = runs.map((run) => ({ run, decision: decidePromotion(run, champion, rules) }));
  let winner: R | null = null;
  for (const { run, decision } of decisions) {
    if (decision.promote && (!winner || run.metrics.rmse < winner.metrics.rmse)) winner = run;
  }
  return { winner, decisions };
}

function fmt(w: HeldOutWindow): string {
  return `[${new Date(w.from).toISOString()} … ${new Date(w.to).toISOString()}, ${w.rows} rows]`;
}
