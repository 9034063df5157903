import type { Dataset, RowRange } from "./dataset.js";
import { clarkWest, dieboldMariano } from "./forecast-tests.js";
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
   * It is spent over the symbol's rounds (see roundAlpha); a round's candidates are tested as one
   * selection forecast (see selectionForecast).
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

/**
 * What pickChampion knows of the round: the dataset's rows (its index), and the held-out targets,
 * last prices and horizon (to test a league of more than one candidate, and against a champion).
 */
export interface Round {
  rows?: number;
  /**
   * The rows of the symbol's first round that can test (walk-forward.ts firstTestableRows): it is
   * round 1, and rounds before it, which refuse every candidate untested, spend nothing. Default
   * rowsPerRound (round k = ⌈rows / rowsPerRound⌉).
   */
  firstRows?: number;
  target?: ArrayLike<number>;
  /** The held-out rows' last prices (the naive forecast). */
  last?: ArrayLike<number>;
  horizon?: number;
}

export type PromotionDecision =
  | { promote: true; reason: "beats-naive" | "beats-naive-and-champion"; detail: string }
  | { promote: false; reason: PromotionReject; detail: string };

/** What pickChampion needs to know of a league's round: the dataset's rows, and the held-out rows' targets, last prices and horizon. */
export function leagueRound(ds: Dataset, heldOut: RowRange): Round & Required<Pick<Round, "rows" | "target" | "last" | "horizon">> {
  return { rows: ds.rows, target: ds.target.subarray(heldOut.start, heldOut.end), last: ds.last.subarray(heldOut.start, heldOut.end), horizon: ds.horizon };
}

/** Held-out rows the selection forecast takes from the league's first candidate before it ranks them by their record (5 minutes of 10 s bars). */
export const SELECTION_BURN_IN = 30;

/**
 * The league's selection forecast: each held-out row is forecast by the candidate with the lowest
 * squared error so far, on the rows before it whose labels were known by then (row i − horizon
 * and earlier); the first candidate (the league's simplest, ElasticNet) for the first `burnIn`
 * rows, and the current choice keeps ties. Every row's choice uses only the past, so under a
 * martingale price its Clark–West differential has mean zero like any single model's: one test
 * covers the whole league, with no multiple-comparison correction, and it tests what is deployed —
 * picking the best candidate. `leader` is the choice for the next row: the lowest squared error
 * over every held-out row.
 */
export function selectionForecast(predictions: readonly ArrayLike<number>[], target: ArrayLike<number>, horizon = 1, burnIn = SELECTION_BURN_IN): { forecast: Float64Array; leader: number } {
  const m = predictions.length, n = target.length;
  if (m === 0) throw new RangeError("a selection forecast needs at least one candidate");
  for (const p of predictions) if (p.length !== n) throw new RangeError(`${p.length} predictions for ${n} held-out rows`);
  if (!Number.isInteger(horizon) || horizon < 1) throw new RangeError(`horizon must be an integer ≥ 1, got ${horizon}`);
  const sse = new Float64Array(m);
  const forecast = new Float64Array(n);
  let leader = 0;
  const rank = () => {
    for (let c = 0; c < m; c++) if (sse[c]! < sse[leader]!) leader = c;
  };
  for (let i = 0; i < n; i++) {
    const known = i - horizon;
    if (known >= 0) for (let c = 0; c < m; c++) sse[c] = sse[c]! + (target[known]! - predictions[c]![known]!) ** 2;
    if (i >= burnIn) rank();
    forecast[i] = predictions[leader]![i]!;
  }
  for (let j = Math.max(0, n - horizon); j < n; j++) for (let c = 0; c < m; c++) sse[c] = sse[c]! + (target[j]! - predictions[c]![j]!) ** 2;
  if (n >= burnIn) rank();
  return { forecast, leader };
}

/** H(n) = 1 + 1/2 + … + 1/n. */
function harmonic(n: number): number {
  let h = 0;
  for (let k = 1; k <= n; k++) h += 1 / k;
  return h;
}

/**
 * The level a round tests at: round k of the symbol's testing history gets falsePromotionRate /
 * (k · H(roundsPerDay)), where round 1 is the first that can test (`firstRows` rows; default one
 * round's rows) and each `rowsPerRound` rows after it is one more: k = 1 + ⌈(rows − firstRows) /
 * rowsPerRound⌉, at least 1. The first day's testing rounds k = 1 … 288 then spend exactly the
 * day's budget (Σ 1/(k·H) = 1) and every later day less, so by the union bound no day's rounds
 * promote a skill-less model with more than that chance, whatever the rounds' dependence. Rounds
 * before `firstRows` refuse every candidate untested and need no share. Early rounds get more
 * than an even share (α/(k·6.24) vs α/288), which is what lets a real signal through within the
 * first hundreds of bars. Without `rows` (unknown round) the day's last share, k = roundsPerDay,
 * is used: the strictest of the first day.
 */
export function roundAlpha(rules: PromotionRules, rows?: number, firstRows?: number): number {
  return rules.falsePromotionRate / (roundIndex(rules, rows, firstRows) * harmonic(rules.roundsPerDay));
}

/** The round index roundAlpha uses (also named in reasons). */
function roundIndex(rules: PromotionRules, rows: number | undefined, firstRows = rules.rowsPerRound): number {
  if (!Number.isInteger(firstRows) || firstRows < 1) throw new RangeError(`firstRows must be an integer ≥ 1, got ${firstRows}`);
  return rows === undefined ? rules.roundsPerDay : Math.max(1, 1 + Math.ceil((rows - firstRows) / rules.rowsPerRound));
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
 * 2. the league's selection forecast (selectionForecast; a lone candidate's own forecast) beats
 *    naive significantly: its Clark–West p-value ≤ roundAlpha(rules, round.rows, round.firstRows);
 * 3. the candidate it selects (the lowest RMSE) is the challenger, the others are `outranked`;
 *    with a champion, on the held-out rows newer than the champion's data (at least minTestRows of
 *    them) it must have a lower RMSE and a one-sided Diebold–Mariano p-value ≤ the same level
 *    (`round.target` needed).
 * A league of more than one candidate needs each run's `predictions` and `round.target` and
 * `round.last`. Returns the winner (or null: keep the champion, or naive) and a reason per candidate.
 */
export function pickChampion<R extends WindowScore>(
  runs: readonly R[],
  champion: WindowScore | null,
  rules: PromotionRules = DEFAULT_PROMOTION_RULES,
  round: Round = {},
): { winner: R | null; decisions: { run: R; decision: PromotionDecision }[]; alpha: number } {
  validateRules(rules);
  const alpha = roundAlpha(rules, round.rows, round.firstRows);
  const level = levelText(rules, runs.length, round, alpha);
  const heldOut = round.target === undefined ? undefined : { target: round.target };
  const decided = new Map<R, PromotionDecision>();
  const reject = (run: R, reason: PromotionReject, detail: string) => decided.set(run, { promote: false, reason, detail });
  for (const run of runs) {
    const w = run.metrics;
    if (champion && !withinWindow(champion.window, run.window)) reject(run, "window-mismatch", `champion window ${fmt(champion.window)} is not the end of the candidate's ${fmt(run.window)}`);
    else if (run.window.rows < rules.minTestRows) reject(run, "too-few-test-rows", `${run.window.rows} held-out rows < ${rules.minTestRows}`);
    else if (!(w.rmse < w.rmseNaive) || !(w.skill > rules.minSkill)) reject(run, "not-better-than-naive", `rmse ${num(w.rmse)} vs naive ${num(w.rmseNaive)}, skill ${w.skill.toFixed(4)} ≤ ${rules.minSkill}`);
  }
  const test = runs.length === 0 || runs.every((r) => decided.has(r)) ? null : naiveTest(runs, round);
  const stat = test && `${test.what} t ${test.stat.toFixed(2)}, p ${test.p.toPrecision(2)}`;
  let best: R | null = null;
  if (test && !(test.p <= alpha)) {
    for (const run of runs) if (!decided.has(run)) reject(run, "not-significant-vs-naive", `${stat} > level ${alpha.toPrecision(2)} (${level})`);
  } else if (test) {
    const choice = runs[test.leader]!;
    if (!decided.has(choice)) best = choice;
    for (const run of runs) {
      if (run !== choice && !decided.has(run)) reject(run, "outranked", `rmse ${num(run.metrics.rmse)} ≥ ${num(choice.metrics.rmse)} of the selection's choice (${stat})`);
    }
  }
  let winner: R | null = null;
  if (best) {
    const vsNaive = `skill ${best.metrics.skill.toFixed(4)}, ${stat} ≤ ${alpha.toPrecision(2)} (${level})`;
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

/**
 * The test against naive: a lone candidate's own Clark–West result, or the selection forecast's
 * over the league (its `leader` indexes `runs`).
 */
function naiveTest(runs: readonly WindowScore[], round: Round): { what: string; stat: number; p: number; leader: number } {
  if (runs.length === 1) return { what: "Clark–West", stat: runs[0]!.metrics.cwStat, p: runs[0]!.metrics.cwPValue, leader: 0 };
  const { target, last } = round;
  if (!target || !last || runs.some((r) => !r.predictions)) throw new RangeError("testing a league of more than one candidate needs each run's predictions and the held-out target and last prices");
  const horizon = round.horizon ?? 1;
  const sel = selectionForecast(runs.map((r) => r.predictions!), target, horizon);
  const cw = clarkWest(sel.forecast, target, last, horizon);
  return { what: "selection forecast Clark–West", stat: cw.stat, p: cw.pValue, leader: sel.leader };
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

function levelText(rules: PromotionRules, m: number, round: Round, alpha: number): string {
  return `round ${roundIndex(rules, round.rows, round.firstRows)}'s share ${alpha.toPrecision(2)} of α ${rules.falsePromotionRate}/day, ${m === 1 ? "1 candidate" : `${m} candidates as one selection forecast`}`;
}

const num = (x: number) => x.toPrecision(6);

function fmt(w: HeldOutWindow): string {
  return `[${new Date(w.from).toISOString()} … ${new Date(w.to).toISOString()}, ${w.rows} rows]`;
}
