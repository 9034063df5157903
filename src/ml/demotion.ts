/**
 * Demotion: is a live champion significantly worse than the naive "next = last" forecast on the
 * bars it actually predicted?
 *
 * The sequential test is a rolling one-sided Diebold–Mariano test (Newey–West variance, HLN
 * correction, Student t; see forecast-tests.ts) on the champion's newest `window` realised
 * errors, taken again at every review (the watcher's 5-minute patrol):
 *   d_t = e_champion² − e_naive²,   H0: mean(d) ≤ 0,   H1: mean(d) > 0 (the champion is worse).
 * It demotes when p ≤ `alpha` and the champion's RMSE is above naive's over the same bars.
 *
 * Repeated looks raise the chance of demoting a champion that is merely as good as naive, and
 * that is the safe direction: naive is what serves after a demotion. A champion with real skill
 * has mean(d) < 0 and is not demoted (the bench measures how often one is, and how long a
 * champion whose skill vanished keeps serving: `npm run bench -- ml-honesty`).
 *
 * No flapping, in both directions:
 * - a champion is reviewed only after `minLiveRows` live predictions of its own;
 * - after a demotion, no promotion for `cooldownMs` (the trainer applies it), and any later
 *   promotion passes the full promotion rule again.
 */
import { dieboldMariano } from "./forecast-tests.js";

export interface DemotionRules {
  /** Fewest live predictions of the champion before it can be demoted. Default 100. */
  minLiveRows: number;
  /** The test reads the newest this many live predictions. Default 720 (2 hours of 10 s bars). */
  window: number;
  /** One-sided level of each look. Default 0.01. */
  alpha: number;
  /** After a demotion, no promotion for this long (ms). Default 1 hour. */
  cooldownMs: number;
}

export const DEFAULT_DEMOTION_RULES: DemotionRules = { minLiveRows: 100, window: 720, alpha: 0.01, cooldownMs: 3_600_000 };

/** One live prediction and what happened: the champion's and the naive forecast's errors on the same bar. */
export interface LiveError {
  /** Window end of the bar the prediction was made on (ms). */
  time: number;
  /** Realised next close − the champion's prediction. */
  error: number;
  /** Realised next close − this close (the naive forecast). */
  naiveError: number;
}

interface Measured {
  /** Live predictions tested (the newest, at most `window`). */
  rows: number;
  rmse: number;
  rmseNaive: number;
  /** 1 − rmse / rmseNaive over the tested rows. */
  skill: number;
  /** HLN-corrected DM statistic; > 0 when the champion is worse. */
  stat: number;
  pValue: number;
}

export type LiveReview =
  | { verdict: "too-few-rows"; rows: number; detail: string }
  | ({ verdict: "keep" | "demote"; detail: string } & Measured);

export function validateDemotionRules(rules: DemotionRules): DemotionRules {
  const { minLiveRows, window, alpha, cooldownMs } = rules;
  if (!Number.isInteger(minLiveRows) || minLiveRows < 10) throw new RangeError(`demotion minLiveRows must be an integer ≥ 10, got ${minLiveRows}`);
  if (!Number.isInteger(window) || window < minLiveRows) throw new RangeError(`demotion window must be an integer ≥ minLiveRows (${minLiveRows}), got ${window}`);
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`demotion alpha must be in (0, 0.5), got ${alpha}`);
  if (!(Number.isFinite(cooldownMs) && cooldownMs >= 0)) throw new RangeError(`demotion cooldownMs must be ≥ 0, got ${cooldownMs}`);
  return rules;
}

/** The verdict on a champion's live errors (oldest first). Pure. */
export function reviewLive(errors: readonly LiveError[], rules: DemotionRules = DEFAULT_DEMOTION_RULES): LiveReview {
  if (errors.length < rules.minLiveRows) {
    return { verdict: "too-few-rows", rows: errors.length, detail: `${errors.length} of ${rules.minLiveRows} live predictions` };
  }
  const tested = errors.slice(-rules.window);
  const n = tested.length;
  const loss = new Float64Array(n);
  const naiveLoss = new Float64Array(n);
  let sse = 0;
  let sseNaive = 0;
  for (let i = 0; i < n; i++) {
    loss[i] = tested[i]!.error ** 2;
    naiveLoss[i] = tested[i]!.naiveError ** 2;
    sse += loss[i]!;
    sseNaive += naiveLoss[i]!;
  }
  const rmse = Math.sqrt(sse / n);
  const rmseNaive = Math.sqrt(sseNaive / n);
  const skill = rmseNaive > 0 ? 1 - rmse / rmseNaive : rmse > 0 ? -Infinity : 0;
  const dm = dieboldMariano(loss, naiveLoss);
  const measured: Measured = { rows: n, rmse, rmseNaive, skill, stat: dm.stat, pValue: dm.pValue };
  const figures = `live RMSE ${fmt(rmse)} vs naive ${fmt(rmseNaive)} over the last ${n} predictions, DM t ${dm.stat.toFixed(2)}, p ${fmtP(dm.pValue)}`;
  const demote = rmse > rmseNaive && dm.pValue <= rules.alpha;
  return { verdict: demote ? "demote" : "keep", ...measured, detail: `${figures} ${demote ? "≤" : ">"} ${rules.alpha}` };
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

function fmtP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
