/**
 * One round for one symbol: silver bars → the live champion reviewed against naive on the bars it
 * served (demoted if significantly worse) → dataset → the league in the Piscina pool (the event
 * loop never fits a model) → every run recorded → the best candidate promoted only if it beats
 * naive and the current champion re-scored on the same held-out window → compare-and-set of the
 * champion pointer → promotion history in the database.
 */
import { randomUUID } from "node:crypto";
import type { Database } from "../db/index.js";
import { recordPromotion, recordRunDecision } from "../db/index.js";
import { DEFAULT_DEMOTION_RULES, reviewLive, validateDemotionRules, type DemotionRules, type LiveReview } from "../ml/demotion.js";
import { leagueRound, pickChampion, scoreModel, validateRules, firstTestableRows, walkForwardPlan, DEFAULT_PROMOTION_RULES, LEAGUE_ALGORITHMS, MIN_TRAIN_ROWS } from "../ml/index.js";
import type { Algorithm, Dataset, ParamOverrides, PromotionDecision, PromotionRules, TrainingRun, WalkForwardOptions, WindowScore } from "../ml/index.js";
import type { TrainingPool } from "../ml/pool/index.js";
import type { ArtifactStore } from "./artifacts.js";
import { updatePointer, type ChampionStore } from "./champion-store.js";
import { buildDataset, liveErrors, usableRows } from "./dataset.js";
import { errorMessage } from "./errors.js";
import type { MlopsEventSink, TrainingTrigger } from "./events.js";
import { demotedPointer, isNaiveRef, promotedPointer, NAIVE_VERSION, type ChampionPointer } from "./pointer.js";
import { recordRunFailure, recordRunFinish, recordRunStart, registerVersion } from "./registry.js";
import type { SilverSource, TrainingBar } from "./silver-source.js";

export interface TrainerOptions {
  source: SilverSource;
  pool: TrainingPool;
  db: Database;
  store: ChampionStore;
  artifacts: ArtifactStore;
  events?: MlopsEventSink;
  /** Least training rows (bars past warm-up with a next bar) before a symbol is trained. Default 20, as in the original. */
  minRows?: number;
  /** Train on at most the newest this many bars (bounds memory and the main thread's dataset build). Default 50 000 (≈ 5.8 days of 10 s bars). */
  maxBars?: number;
  algorithms?: readonly Algorithm[];
  params?: ParamOverrides;
  /** Promotion rules (minimum held-out rows, false-promotion rate per day, rounds per day). */
  rules?: Partial<PromotionRules>;
  /** Walk-forward folds of every round. */
  evaluation?: WalkForwardOptions;
  /** When a live champion is demoted (least live rows, window, level, cooldown before the next promotion). */
  demotion?: Partial<DemotionRules>;
  now?: () => number;
}

export interface RunOutcome {
  runId: string;
  algorithm: string;
  status: "finished" | "failed";
  rmse?: number;
  skill?: number;
  dmStat?: number;
  cwStat?: number;
  cwPValue?: number;
  testRows?: number;
  error?: string;
}

export type PromotionOutcome =
  | { promoted: true; version: string; kind: string; previous: string | null; reason: string }
  | { promoted: false; reason: string; decision?: PromotionDecision };

/** The round's look at the live champion (null in the outcome when none serves). */
export interface ChampionReview {
  version: string;
  review: LiveReview;
  /** True when this round demoted it (naive serves now). */
  demoted: boolean;
}

export interface TrainingOutcome {
  symbol: string;
  trigger: TrainingTrigger;
  status: "insufficient-data" | "trained";
  rows: number;
  /** Rows left out because their lags or label span a gap in the bars (see buildDataset). */
  excluded?: number;
  minRows: number;
  runs: RunOutcome[];
  rmseNaive: number | null;
  /** Champion after the round (null: none, the naive forecast serves). */
  champion: string | null;
  promotion: PromotionOutcome | null;
  review: ChampionReview | null;
  startedAt: number;
  finishedAt: number;
}

export const DEFAULT_MIN_ROWS = 20;
export const DEFAULT_MAX_BARS = 50_000;

/** Fewest rows `chronologicalSplit` accepts at the default 20% test share (MIN_TRAIN_ROWS = 10 training rows). */
const MIN_SPLIT_ROWS = Math.ceil(MIN_TRAIN_ROWS / 0.8) + 1;

export class Trainer {
  readonly minRows: number;
  readonly maxBars: number;
  readonly rules: PromotionRules;
  readonly demotion: DemotionRules;
  readonly #o: TrainerOptions;
  readonly #now: () => number;
  readonly #emit: MlopsEventSink;

  constructor(options: TrainerOptions) {
    this.#o = options;
    this.minRows = options.minRows ?? DEFAULT_MIN_ROWS;
    if (!Number.isInteger(this.minRows) || this.minRows < 1) throw new RangeError(`minRows must be an integer ≥ 1, got ${this.minRows}`);
    this.maxBars = options.maxBars ?? DEFAULT_MAX_BARS;
    if (!Number.isInteger(this.maxBars) || this.maxBars < 1) throw new RangeError(`maxBars must be an integer ≥ 1, got ${this.maxBars}`);
    this.rules = validateRules({ ...DEFAULT_PROMOTION_RULES, ...options.rules });
    this.demotion = validateDemotionRules({ ...DEFAULT_DEMOTION_RULES, ...options.demotion });
    this.#now = options.now ?? Date.now;
    this.#emit = options.events ?? (() => {});
  }

  /** Training rows a round needs: minRows, and enough for the 80/20 split. */
  get requiredRows(): number {
    return Math.max(this.minRows, MIN_SPLIT_ROWS);
  }

  async train(symbol: string, trigger: TrainingTrigger, signal?: AbortSignal): Promise<TrainingOutcome> {
    const startedAt = this.#now();
    const all = await this.#o.source.bars(symbol);
    const bars = all.length > this.maxBars ? all.slice(all.length - this.maxBars) : all;
    const rows = usableRows(bars.length);
    signal?.throwIfAborted();
    const review = await this.#review(symbol, bars);
    const base = { symbol, trigger, rows, minRows: this.minRows, runs: [], rmseNaive: null, promotion: null, review, startedAt };
    // Below minRows, or too few for the 80/20 split to leave MIN_TRAIN_ROWS training rows.
    if (rows < this.requiredRows) {
      const champion = (await this.#o.store.read(symbol))?.pointer.version ?? null;
      return { ...base, status: "insufficient-data", champion, finishedAt: this.#now() };
    }
    const { dataset, excluded } = buildDataset(bars);
    if (dataset.rows < this.requiredRows) {
      const champion = (await this.#o.store.read(symbol))?.pointer.version ?? null;
      return { ...base, rows: dataset.rows, excluded, status: "insufficient-data", champion, finishedAt: this.#now() };
    }
    // Loading bars takes a while; a round cancelled meanwhile (watcher stopped) starts nothing.
    signal?.throwIfAborted();
    this.#emit({ type: "training-started", symbol, trigger, rows: dataset.rows, at: startedAt });
    const { runs, outcomes, rmseNaive } = await this.#trainAndRecord(symbol, dataset, signal);
    const { promotion, champion } = await this.#promote(symbol, dataset, runs);
    return { ...base, rows: dataset.rows, excluded, status: "trained", runs: outcomes, rmseNaive, champion, promotion, finishedAt: this.#now() };
  }

  async #trainAndRecord(symbol: string, ds: Dataset, signal?: AbortSignal) {
    const db = this.#o.db;
    const algorithms = this.#o.algorithms ?? LEAGUE_ALGORITHMS;
    const ids = new Map(algorithms.map((a) => [a, randomUUID()] as const));
    const started = new Date(this.#now());
    const horizonMs = barSpacing(ds);
    for (const [algorithm, runId] of ids) {
      await recordRunStart(db, { runId, symbol, algorithm, startedAt: started, dataFrom: ds.time[0]!, dataTo: ds.time[ds.rows - 1]!, ...(horizonMs ? { horizonMs } : {}) });
    }
    let league;
    try {
      league = await this.#o.pool.trainLeague(symbol, ds, { algorithms, ...(this.#o.params ? { params: this.#o.params } : {}), ...(this.#o.evaluation ? { evaluation: this.#o.evaluation } : {}), ...(signal ? { signal } : {}) });
    } catch (err) {
      for (const runId of ids.values()) await recordRunFailure(db, runId, errorMessage(err), new Date(this.#now()));
      throw err;
    }
    const runs: { runId: string; run: TrainingRun }[] = [];
    const outcomes: RunOutcome[] = [];
    const finished = new Date(this.#now());
    for (const run of league.runs) {
      const runId = ids.get(run.kind as Algorithm)!;
      await recordRunFinish(db, runId, run, finished);
      runs.push({ runId, run });
      outcomes.push({ runId, algorithm: run.kind, status: "finished", rmse: run.metrics.rmse, skill: run.metrics.skill, dmStat: run.metrics.dmStat, cwStat: run.metrics.cwStat, cwPValue: run.metrics.cwPValue, testRows: run.rows.test });
      this.#emit({ type: "run-completed", symbol, runId, algorithm: run.kind, metrics: run.metrics, at: finished.getTime() });
    }
    for (const f of league.failures) {
      const runId = ids.get(f.algorithm)!;
      await recordRunFailure(db, runId, f.error.message, finished);
      outcomes.push({ runId, algorithm: f.algorithm, status: "failed", error: f.error.message });
      this.#emit({ type: "run-failed", symbol, runId, algorithm: f.algorithm, error: f.error.message, at: finished.getTime() });
    }
    return { runs, outcomes, rmseNaive: league.naive?.metrics.rmse ?? null };
  }

  /** Picks, registers and promotes; on a lost compare-and-set the decision is taken again against the new champion. */
  async #promote(symbol: string, ds: Dataset, runs: { runId: string; run: TrainingRun }[]): Promise<{ promotion: PromotionOutcome; champion: string | null }> {
    // The rows every run was scored on (the same plan the workers followed).
    const heldOutRange = walkForwardPlan(ds.rows, ds.horizon, this.#o.evaluation).heldOut;
    const rules = this.rules;
    const round = { ...leagueRound(ds, heldOutRange), firstRows: firstTestableRows(rules.minTestRows, ds.horizon, this.#o.evaluation) };
    const candidates = runs.map((r) => ({ ...r, window: r.run.window, metrics: r.run.metrics, predictions: r.run.predictions }));
    let registered: { runId: string; version: string; artifact: string } | null = null;
    type Candidate = (typeof candidates)[number];
    const last: { value: { current: ChampionPointer | null; winner: Candidate | null; decisions: { run: Candidate; decision: PromotionDecision }[]; cooling: string | null } | null } = { value: null };

    const result = await updatePointer(this.#o.store, symbol, async (current) => {
      const championScore = current === null || isNaiveRef(current) ? null : await this.#scoreChampion(current, ds, heldOutRange);
      const { winner, decisions } = pickChampion(candidates, championScore, rules, round);
      const cooling = this.#coolingDown(current);
      last.value = { current, winner, decisions, cooling };
      if (winner === null || cooling !== null) return null;
      if (registered?.runId !== winner.runId) {
        registered = { runId: winner.runId, ...(await registerVersion(this.#o.db, this.#o.artifacts, { symbol, runId: winner.runId, run: winner.run, now: this.#now() })) };
      }
      const decision = decisions.find((d) => d.run === winner)!.decision;
      return promotedPointer(symbol, current, { version: registered.version, kind: winner.run.kind, artifact: registered.artifact, promotedAt: this.#now(), reason: `${decision.reason}: ${decision.detail}` });
    });

    const at = this.#now();
    const seen = last.value;
    await this.#recordDecisions(symbol, seen, result?.pointer.version ?? null, at);
    if (result !== null) {
      const p = result.pointer;
      const previous = result.previous?.version ?? null;
      try {
        await recordPromotion(this.#o.db, symbol, p.version, p.reason);
      } catch (err) {
        // The KV pointer is what nodes serve; the history row is its record. Report, do not undo.
        this.#emit({ type: "warning", symbol, message: `promotion of ${p.version} is in KV but not in the database history: ${errorMessage(err)}`, at });
      }
      const run = seen!.winner!.run;
      this.#emit({ type: "promoted", symbol, version: p.version, kind: p.kind, previous, reason: p.reason, rmse: run.metrics.rmse, skill: run.metrics.skill, at });
      return { promotion: { promoted: true, version: p.version, kind: p.kind, previous, reason: p.reason }, champion: p.version };
    }
    const winner = seen?.winner ? seen.decisions.find((d) => d.run === seen.winner) : undefined;
    const best = winner ?? (seen === null ? null : [...seen.decisions].sort((a, b) => a.run.metrics.rmse - b.run.metrics.rmse)[0] ?? null);
    const reason =
      best === null ? "no model trained"
      : winner && seen?.cooling ? `cooling-down: ${winner.run.run.kind} passed (${winner.decision.detail}), but ${seen.cooling}`
      : `${best.decision.reason}: ${best.decision.detail}`;
    const champion = seen?.current?.version ?? null;
    this.#emit({
      type: "not-promoted",
      symbol,
      best: best === null ? null : { algorithm: best.run.run.kind, rmse: best.run.metrics.rmse, skill: best.run.metrics.skill, decision: best.decision },
      champion,
      reason,
      at,
    });
    return { promotion: { promoted: false, reason, ...(best ? { decision: best.decision } : {}) }, champion };
  }

  /**
   * Each candidate's verdict on its run row (the MLOps page's runs table says why each model was
   * or was not promoted): the rule's reason and detail, the winner's prefixed with its version,
   * or why the round's winner waits (cooling down after a demotion). A failed write is a warning.
   */
  async #recordDecisions(
    symbol: string,
    seen: { winner: { runId: string } | null; decisions: { run: { runId: string }; decision: PromotionDecision }[]; cooling: string | null } | null,
    promoted: string | null,
    at: number,
  ): Promise<void> {
    for (const { run, decision } of seen?.decisions ?? []) {
      const verdict = `${decision.reason}: ${decision.detail}`;
      const text =
        run !== seen!.winner ? verdict
        : promoted !== null ? `promoted ${promoted}: ${verdict}`
        : seen!.cooling !== null ? `cooling-down: ${verdict}; but ${seen!.cooling}`
        : verdict;
      try {
        await recordRunDecision(this.#o.db, run.runId, text);
      } catch (err) {
        this.#emit({ type: "warning", symbol, message: `the decision on run ${run.runId} was not recorded: ${errorMessage(err)}`, at });
      }
    }
  }

  /**
   * Reviews the live champion on the bars it served (src/ml/demotion.ts) and demotes it to the
   * naive forecast when it is significantly worse: compare-and-set on the pointer it reviewed
   * (a champion promoted or rolled back meanwhile is left alone), a history row with action
   * "demoted", and a `demoted` event. Null when no model serves.
   */
  async #review(symbol: string, bars: readonly TrainingBar[]): Promise<ChampionReview | null> {
    const stored = await this.#o.store.read(symbol);
    if (stored === null || isNaiveRef(stored.pointer)) return null;
    const version = stored.pointer.version;
    const review = reviewLive(liveErrors(bars, version), this.demotion);
    this.#emit({ type: "champion-reviewed", symbol, version, review, at: this.#now() });
    if (review.verdict !== "demote") return { version, review, demoted: false };
    const reason = `${DEMOTED}${version}: worse-than-naive: ${review.detail}`;
    const result = await updatePointer(this.#o.store, symbol, (current) => (current?.version === version ? demotedPointer(current, this.#now(), reason) : null));
    if (result === null) return { version, review, demoted: false };
    const at = this.#now();
    try {
      await recordPromotion(this.#o.db, symbol, NAIVE_VERSION, reason, "demoted");
    } catch (err) {
      this.#emit({ type: "warning", symbol, message: `demotion of ${version} is in KV but not in the database history: ${errorMessage(err)}`, at });
    }
    this.#emit({ type: "demoted", symbol, from: version, to: NAIVE_VERSION, reason, review, at });
    return { version, review, demoted: true };
  }

  /** Why no promotion may happen yet after a demotion (null: it may). */
  #coolingDown(current: ChampionPointer | null): string | null {
    if (current === null || !isNaiveRef(current) || !current.reason.startsWith(DEMOTED)) return null;
    const since = this.#now() - current.promotedAt;
    if (since >= this.demotion.cooldownMs) return null;
    const demoted = current.previous[0]?.version ?? "the champion";
    return `${demoted} was demoted ${minutes(since)} ago; promotions resume in ${minutes(this.demotion.cooldownMs - since)}`;
  }

  /**
   * The current champion's score on the held-out rows newer than its own data (its artifact's
   * held-out window ends where its data ended; rows up to there may be in its training set and
   * would flatter it), or null when it cannot be scored (then only naive is the bar). Without
   * metadata it is scored on the whole window, which can only favour it.
   */
  async #scoreChampion(current: ChampionPointer, ds: Dataset, heldOut: { start: number; end: number }): Promise<WindowScore | null> {
    try {
      const model = await this.#o.artifacts.load(current.version, current.artifact);
      if (model.horizon !== ds.horizon || model.featureNames.join() !== ds.featureNames.join()) return null;
      const seenUpTo = (await this.#o.artifacts.metadata(current.version))?.window?.to ?? -Infinity;
      let start = heldOut.start;
      while (start < heldOut.end && ds.time[start]! <= seenUpTo) start++;
      if (start === heldOut.end) {
        // No row it has not seen: nothing to test a challenger on (pickChampion says so).
        const at = ds.time[heldOut.end - 1]!;
        return { window: { from: at, to: at, rows: 0 }, metrics: { rmse: NaN, rmseNaive: NaN, skill: NaN, dmStat: 0, cwStat: 0, cwPValue: 1 }, predictions: new Float64Array(0) };
      }
      return scoreModel(model, ds, { start, end: heldOut.end });
    } catch (err) {
      this.#emit({ type: "warning", symbol: current.symbol, message: `cannot re-score champion ${current.version}, candidates face naive only: ${errorMessage(err)}`, at: this.#now() });
      return null;
    }
  }
}

/** How a demotion's reason starts (the pointer's and the history row's). */
const DEMOTED = "demoted ";

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}

/** Smallest gap between consecutive rows (the window slide): what horizon 1 looks ahead, in ms. */
function barSpacing(ds: Dataset): number | undefined {
  let min = Infinity;
  for (let i = 1; i < ds.rows; i++) {
    const d = ds.time[i]! - ds.time[i - 1]!;
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : undefined;
}
