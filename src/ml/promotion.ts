import { dieboldMariano } from "./forecast-tests.js";
import type { HeldOutWindow } from "./league.js";
import type { Metrics } from "./metrics.js";

/**
 * A model's score on one held-out window (a TrainingRun, or the champion re-scored by
 * scoreModel). `predictions` (prices, one per window row) are needed to test a challenger
 * against a champion on the same rows. A champion is scored only on the window's newest rows,
 * those after the data it was trained on (in-sample rows would flatter it): its window ends where
 * the candidates' ends and holds at most as many rows.
 */
export interface WindowScore {
  window: HeldOutWindow;
  metrics: Pick<Metrics, "rmse" | "rmseNaive" | "skill" | "dmStat" | "cwStat" | "cwPValue">;
  predictions?: ArrayLike<number>;
}

export interface PromotionRules {
  /** Fewest held-out rows before anything is promoted. Default 100. */
  minTestRows: number;
  /**
   * Chance of promoting a model with no real skill, per symbol and day of rounds. Default 0.05.
   * It is spent over the symbol's rounds (see roundAlpha) and Holm divides a round's share among
   * its candidates.
   */
  falsePromotionRate: number;
  /** Rounds a symbol gets per day: 288 = one every 5 minutes (the watcher's patrol). */
  roundsPerDay: number;
  /** Rows a symbol gains between rounds: 30 = 5 minutes of 10 s bars. */
  rowsPerRound: number;
  /** Least skill against naive (1 − rmse / rmseNaive) on the held-out rows. Default 0. */
  minSkill: number;
}

export const DEFAULT_PROMOTION_RULES: PromotionRules = { minTestRows: 100, falsePromotionRate: 0.05, roundsPerDay: 288, rowsPerRound: 30, minSkill: 0 };

export type PromotionReject =
  | "window-mismatch"
  | "too-few-test-rows"
  | "not-better-than-naive"
  | "not-significant-vs-naive"
  | "outranked"
  | "too-few-rows-vs-champion"
  | "not-better-than-champion"
  | "not-significant-vs-champion";

/** What pickChampion knows of the round: the dataset's rows (its index), and the held-out targets and horizon (to test against a champion). */
export interface Round {
  rows?: number;
  target?: ArrayLike<number>;
  horizon?: number;
}

export type PromotionDecision =
  | { promote: true; reason: "beats-naive" | "beats-naive-and-champion"; detail: string }
  | { promote: false; reason: PromotionReject; detail: string };

/** H(n) = 1 + 1/2 + … + 1/n. */
function harmonic(n: number): number {
  let h = 0;
  for (let k = 1; k <= n; k++) h += 1 / k;
  return h;
}

/**
 * The level a round tests at: round k of the symbol's history (k = ⌈rows / rowsPerRound⌉, at
 * least 1) gets falsePromotionRate / (k · H(roundsPerDay)). The first day's rounds k = 1 … 288 then
 * spend exactly the day's budget (Σ 1/(k·H) = 1) and every later day less, so by the union bound
 * no day's rounds promote a skill-less model with more than that chance, whatever the rounds'
 * dependence. Early rounds get more than an even share (α/(k·6.24) vs α/288), which is what
 * lets a real signal through within the first hundreds of bars. Without `rows` (unknown round)
 * the day's last share, k = roundsPerDay, is used: the strictest of the first day.
 */
export function roundAlpha(rules: PromotionRules, rows?: number): number {
  const k = rows === undefined ? rules.roundsPerDay : Math.max(1, Math.ceil(rows / rules.rowsPerRound));
  return rules.falsePromotionRate / (k * harmonic(rules.roundsPerDay));
}

/** The round index roundAlpha used (for reasons). */
function roundIndex(rules: PromotionRules, rows?: number): number {
  return rows === undefined ? rules.roundsPerDay : Math.max(1, Math.ceil(rows / rules.rowsPerRound));
}

export function sameWindow(a: HeldOutWindow, b: HeldOutWindow): boolean {
  return a.from === b.from && a.to === b.to && a.rows === b.rows;
}

export function validateRules(rules: PromotionRules): PromotionRules {
  if (!Number.isInteger(rules.minTestRows) || rules.minTestRows < 2) throw new RangeError(`minTestRows must be an integer ≥ 2, got ${rules.minTestRows}`);
  if (!(rules.falsePromotionRate > 0 && rules.falsePromotionRate < 1)) throw new RangeError(`falsePromotionRate must be in (0, 1), got ${rules.falsePromotionRate}`);
  if (!Number.isInteger(rules.roundsPerDay) || rules.roundsPerDay < 1) throw new RangeError(`roundsPerDay must be an integer ≥ 1, got ${rules.roundsPerDay}`);
  if (!Number.isInteger(rules.rowsPerRound) || rules.rowsPerRound < 1) throw new RangeError(`rowsPerRound must be an integer ≥ 1, got ${rules.rowsPerRound}`);
  if (!Number.isFinite(rules.minSkill)) throw new RangeError(`minSkill must be finite, got ${rules.minSkill}`);
  return rules;
}

/**
 * The round's decision for every candidate, all on the same held-out rows:
 * 1. at least `minTestRows` held-out rows, and skill > minSkill (lower RMSE than naive);
 * 2. the Clark–West test against naive is significant after Holm's step-down over ALL the
 *    round's candidates at level roundAlpha(rules, round.rows) (a failed step 1 still counts);
 * 3. among those, the lowest RMSE is the challenger; with a champion, on the held-out rows newer
 *    than the champion's data (at least minTestRows of them) it must have a lower RMSE and a
 *    one-sided Diebold–Mariano p-value ≤ roundAlpha (`round.target` needed).
 * Returns the winner (or null: keep the champion, or naive) and a reason per candidate.
 */
export function pickChampion<R extends WindowScore>(
  runs: readonly R[],
  champion: WindowScore | null,
  rules: PromotionRules = DEFAULT_PROMOTION_RULES,
  round: Round = {},
): { winner: R | null; decisions: { run: R; decision: PromotionDecision }[]; alpha: number } {
  validateRules(rules);
  const alpha = roundAlpha(rules, round.rows);
  const level = levelText(rules, runs.length, round.rows);
  const heldOut = round.target === undefined ? undefined : { target: round.target };
  const m = runs.length;
  const decided = new Map<R, PromotionDecision>();
  const reject = (run: R, reason: PromotionReject, detail: string) => decided.set(run, { promote: false, reason, detail });
  for (const run of runs) {
    const w = run.metrics;
    if (champion && !withinWindow(champion.window, run.window)) reject(run, "window-mismatch", `champion window ${fmt(champion.window)} is not the end of the candidate's ${fmt(run.window)}`);
    else if (run.window.rows < rules.minTestRows) reject(run, "too-few-test-rows", `${run.window.rows} held-out rows < ${rules.minTestRows}`);
    else if (!(w.rmse < w.rmseNaive) || !(w.skill > rules.minSkill)) reject(run, "not-better-than-naive", `rmse ${num(w.rmse)} vs naive ${num(w.rmseNaive)}, skill ${w.skill.toFixed(4)} ≤ ${rules.minSkill}`);
  }
  // Holm: the j-th smallest p-value (j from 0) is compared with α/(m − j); the first failure stops.
  const byP = [...runs].sort((a, b) => a.metrics.cwPValue - b.metrics.cwPValue);
  let stopped = false;
  const significant: R[] = [];
  byP.forEach((run, j) => {
    const holm = alpha / (m - j);
    const p = run.metrics.cwPValue;
    stopped ||= !(p <= holm);
    if (decided.has(run)) return;
    const stat = `Clark–West t ${run.metrics.cwStat.toFixed(2)}, p ${p.toPrecision(2)}`;
    if (stopped) reject(run, "not-significant-vs-naive", `${stat} > Holm level ${holm.toPrecision(2)} (${level})`);
    else significant.push(run);
  });
  let best: R | null = null;
  for (const run of significant) if (!best || run.metrics.rmse < best.metrics.rmse) best = run;
  for (const run of significant) {
    if (run !== best) reject(run, "outranked", `significant, but rmse ${num(run.metrics.rmse)} ≥ ${num(best!.metrics.rmse)} of the round's best`);
  }
  let winner: R | null = null;
  if (best) {
    const w = best.metrics;
    const vsNaive = `skill ${w.skill.toFixed(4)}, Clark–West t ${w.cwStat.toFixed(2)}, p ${w.cwPValue.toPrecision(2)} (${level})`;
    if (!champion) {
      decided.set(best, { promote: true, reason: "beats-naive", detail: `${vsNaive}, no champion yet` });
      winner = best;
    } else {
      const k = champion.window.rows;
      if (k < rules.minTestRows) {
        reject(best, "too-few-rows-vs-champion", `${k} held-out rows newer than the champion's data < ${rules.minTestRows}; ${vsNaive}`);
      } else {
        const championLoss = squaredErrors(champion.predictions, heldOut, k);
        const challengerLoss = squaredErrors(best.predictions, heldOut, k);
        const rmseOf = (loss: Float64Array) => Math.sqrt(loss.reduce((a, b) => a + b, 0) / loss.length);
        const [mine, theirs] = [rmseOf(challengerLoss), rmseOf(championLoss)];
        const rows = `on the ${k} rows newer than the champion`;
        if (!(mine < theirs)) reject(best, "not-better-than-champion", `rmse ${num(mine)} ≥ champion's ${num(theirs)} ${rows}`);
        else {
          const dm = dieboldMariano(championLoss, challengerLoss, round.horizon ?? 1);
          const vsChampion = `Diebold–Mariano vs champion t ${dm.stat.toFixed(2)}, p ${dm.pValue.toPrecision(2)} ${rows}`;
          if (dm.pValue <= alpha) {
            decided.set(best, { promote: true, reason: "beats-naive-and-champion", detail: `${vsChampion} ≤ ${alpha.toPrecision(2)}; ${vsNaive}` });
            winner = best;
          } else reject(best, "not-significant-vs-champion", `${vsChampion} > ${alpha.toPrecision(2)} (rmse ${num(mine)} < ${num(theirs)})`);
        }
      }
    }
  }
  return { winner, decisions: runs.map((run) => ({ run, decision: decided.get(run)! })), alpha };
}

/** One candidate alone (a league of one): see pickChampion. */
export function decidePromotion(
  candidate: WindowScore,
  champion: WindowScore | null,
  rules: PromotionRules = DEFAULT_PROMOTION_RULES,
  round: Round = {},
): PromotionDecision {
  return pickChampion([candidate], champion, rules, round).decisions[0]!.decision;
}

/** Squared errors on the last k held-out rows; `p` holds k predictions (the champion) or one per row (a candidate). */
function squaredErrors(p: ArrayLike<number> | undefined, heldOut: { target: ArrayLike<number> } | undefined, k: number): Float64Array {
  if (!heldOut || !p) throw new RangeError("testing a challenger against a champion needs both models' predictions and the held-out targets");
  const { target } = heldOut;
  if (p.length !== k && p.length !== target.length) throw new RangeError(`${p.length} predictions for ${target.length} held-out rows`);
  const out = new Float64Array(k);
  const t0 = target.length - k, p0 = p.length - k;
  for (let i = 0; i < k; i++) out[i] = (target[t0 + i]! - p[p0 + i]!) ** 2;
  return out;
}

/** The champion's window is the end of the candidate's: same last row, no more rows. */
function withinWindow(champion: HeldOutWindow, candidate: HeldOutWindow): boolean {
  return champion.to === candidate.to && champion.rows <= candidate.rows && champion.from >= candidate.from;
}

function levelText(rules: PromotionRules, m: number, rows: number | undefined): string {
  return `round ${roundIndex(rules, rows)}'s share ${roundAlpha(rules, rows).toPrecision(2)} of α ${rules.falsePromotionRate}/day, ${m} candidate${m === 1 ? "" : "s"}`;
}

const num = (x: number) => x.toPrecision(6);

function fmt(w: HeldOutWindow): string {
  return `[${new Date(w.from).toISOString()} … ${new Date(w.to).toISOString()}, ${w.rows} rows]`;
}
