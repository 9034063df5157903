/**
 * Error rates of the promotion rule (issue 15), on seeded bar series (src/ml/bar-series.ts):
 *
 * 1. False promotions per symbol-day: series nothing can predict (normal, regime-switching and
 *    fat-tailed random walks) get a round every 30 bars (5 minutes of 10 s bars) for a day (8,640
 *    bars); a series counts once if any round promotes. Bid–ask bounce series run the same way,
 *    but their close IS predictable (negative autocorrelation), so a promotion there is false only
 *    if the promoted model fails to beat naive on 3,000 fresh bars of the same series.
 *    Candidate set: ElasticNet alone (a full league every 5 minutes for a day is about half a minute
 *    of CPU per series here; 240 series would take two hours). A league is tested as one selection forecast
 *    (src/ml/promotion.ts), so the bound holds for any number of candidates; part 2 checks the
 *    selection forecast's and each learner's test are calibrated. ML_HONESTY_LEAGUE_DAYS=N adds
 *    the same day with the full league on N series per family.
 * 2. Calibration: one round at 1,000 bars, the full league, on 240 martingale series: how often
 *    each candidate's Clark–West test, and the league's selection forecast's, rejects at a nominal
 *    5% (should be ≤ ~5%).
 * 3. Detection at 500 bars: AR(1) bar returns, φ = 0.3, rounds every 30 bars up to bar 500; a
 *    series counts if any round promotes. Full league and ElasticNet alone.
 *
 * 4. Demotion (src/ml/demotion.ts): an ElasticNet champion trained on 1,000 AR(1) bars (φ 0.3,
 *    and a weak φ 0.12) serves a day of the same AR(1) (a demotion there is false if the champion
 *    beat naive over the day), then the skill vanishes (φ = 0): how long until the review (every
 *    30 bars, as the patrol) demotes it.
 *
 * `npm run bench -- ml-honesty` (ML_HONESTY_SCALE=0.25 for a quick look at a quarter of the series).
 */
import { pathToFileURL } from "node:url";
import { barSeries, type SeriesFamily } from "../src/ml/bar-series.js";
import { DEFAULT_PROMOTION_RULES, LEAGUE_ALGORITHMS, SELECTION_BURN_IN, clarkWest, firstTestableRows, leagueRound, loadModel, selectionForecast, roundAlpha, scoreModel, sliceDataset, trainLeague, type Algorithm, type Dataset } from "../src/ml/index.js";
import { promotionRounds } from "../src/ml/promotion-rounds.js";
import { DEFAULT_DEMOTION_RULES, reviewLive, type LiveError } from "../src/ml/demotion.js";
import { buildDataset } from "../src/mlops/dataset.js";
import { phase, record } from "./runner/figures.js";

const SCALE = Number(process.env.ML_HONESTY_SCALE ?? 1);
if (!(SCALE > 0 && SCALE <= 10)) throw new Error(`ML_HONESTY_SCALE must be in (0, 10], got ${process.env.ML_HONESTY_SCALE}`);
const count = (n: number) => Math.max(1, Math.round(n * SCALE));
const DAY_BARS = 8_640;
const FRESH_BARS = 3_000;
const ROUND_BARS = 30;
const EN: Algorithm[] = ["elasticnet"];
/** Series per family for the full league over a day (0: skipped; about half a minute of CPU per series). */
const LEAGUE_DAYS = Number(process.env.ML_HONESTY_LEAGUE_DAYS ?? 0);
if (!(Number.isInteger(LEAGUE_DAYS) && LEAGUE_DAYS >= 0)) throw new Error(`ML_HONESTY_LEAGUE_DAYS must be an integer ≥ 0, got ${process.env.ML_HONESTY_LEAGUE_DAYS}`);

const pct = (k: number, n: number) => `${((100 * k) / n).toFixed(1)} %`;
/** Wilson 95% interval, so a rate on a few hundred series is read with its uncertainty. */
function wilson(k: number, n: number): string {
  const z = 1.96, p = k / n;
  const c = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return `95% CI ${(100 * Math.max(0, c - h)).toFixed(1)}–${(100 * Math.min(1, c + h)).toFixed(1)} %`;
}

function dataset(family: SeriesFamily, bars: number, seed: number): Dataset {
  return buildDataset(barSeries({ family, bars, seed })).dataset;
}

/** The bench replays rounds on prefixes of one dataset; on gap-free bars that equals rebuilding from the bars of each round. */
function checkPrefixShortcut(): void {
  const bars = barSeries({ family: "regime", bars: 400, seed: 99 });
  const full = buildDataset(bars).dataset;
  for (const n of [50, 217, 400]) {
    const rebuilt = buildDataset(bars.slice(0, n)).dataset;
    const prefix = sliceDataset(full, 0, rebuilt.rows);
    if (rebuilt.rows !== n - 10 || rebuilt.x.some((v, i) => v !== prefix.x[i]) || rebuilt.target.some((v, i) => v !== prefix.target[i])) {
      throw new Error(`the dataset of the first ${n} bars is not a prefix of the full dataset: the bench's shortcut is wrong`);
    }
  }
}

function falsePromotions(algorithms: readonly Algorithm[], perFamily: number, label: string): { falses: number; series: number } {
  const families: SeriesFamily[] = ["gaussian", "regime", "fat-tails", "bounce"];
  let falses = 0, series = 0;
  for (const family of families) {
    phase(`false promotions: ${family}, ${label}`);
    const started = performance.now();
    const n = perFamily;
    let promoted = 0, falseHere = 0, tested = 0;
    for (let seed = 1; seed <= n; seed++) {
      const ds = dataset(family, DAY_BARS + (family === "bounce" ? FRESH_BARS : 0), 10_000 + seed);
      const dayRows = DAY_BARS - 10;
      const r = promotionRounds(ds, { everyRows: ROUND_BARS, maxRows: dayRows, algorithms });
      tested += r.tested;
      if (r.promotedAtRows === null) continue;
      promoted++;
      if (family !== "bounce") falseHere++;
      else {
        const fresh = scoreModel(loadModel(r.winner!.model), ds, { start: dayRows, end: ds.rows });
        if (!(fresh.metrics.skill > 0)) falseHere++;
      }
    }
    falses += falseHere;
    series += n;
    const line = `${family.padEnd(9)} ${label}, ${n} series × 1 day (${(tested / n).toFixed(0)} tested rounds each): promoted ${promoted}, false ${falseHere} = ${pct(falseHere, n)} (${wilson(falseHere, n)}) [${((performance.now() - started) / 1000).toFixed(0)} s]`;
    console.log(line);
    record(`false promotions per symbol-day, ${family} (${label}, rounds every 5 min)`, (100 * falseHere) / n, "%", `${falseHere} of ${n}; promoted ${promoted}`);
  }
  return { falses, series };
}

function calibration(): void {
  phase("calibration: one full-league round at 1,000 bars");
  const families: SeriesFamily[] = ["gaussian", "regime", "fat-tails"];
  const rejected = new Map<string, number>();
  let n = 0;
  for (const family of families) {
    for (let seed = 1; seed <= count(80); seed++) {
      const ds = dataset(family, 1_000, 20_000 + seed);
      const league = trainLeague(ds);
      n++;
      for (const run of league.runs) rejected.set(run.kind, (rejected.get(run.kind) ?? 0) + (run.metrics.cwPValue <= 0.05 ? 1 : 0));
      const { target, last, horizon } = leagueRound(ds, league.split.test);
      const selection = clarkWest(selectionForecast(league.runs.map((r) => r.predictions), target, horizon).forecast, target, last, horizon);
      rejected.set("selection", (rejected.get("selection") ?? 0) + (selection.pValue <= 0.05 ? 1 : 0));
    }
  }
  for (const [kind, k] of rejected) {
    console.log(`calibration ${kind.padEnd(17)} Clark–West rejects at nominal 5 %: ${k} of ${n} = ${pct(k, n)} (${wilson(k, n)})`);
    record(`Clark–West size at nominal 5 %, ${kind}, one round at 1,000 bars on martingales`, (100 * k) / n, "%", `${k} of ${n}`);
  }
}

function detection(algorithms: readonly Algorithm[], label: string): { hits: number; n: number } {
  phase(`detection at 500 bars: ${label}`);
  const started = performance.now();
  const n = count(400);
  let hits = 0;
  const firstAt: number[] = [];
  for (let seed = 1; seed <= n; seed++) {
    const ds = dataset("ar1", 500, 30_000 + seed);
    const r = promotionRounds(ds, { everyRows: ROUND_BARS, algorithms });
    if (r.promotedAtRows !== null) {
      hits++;
      firstAt.push(r.promotedAtRows + 10);
    }
  }
  firstAt.sort((a, b) => a - b);
  const median = firstAt.length > 0 ? firstAt[Math.floor(firstAt.length / 2)] : null;
  console.log(`detection ${label}: ${hits} of ${n} = ${pct(hits, n)} (${wilson(hits, n)}) promoted by bar 500; median first promotion at bar ${median ?? "—"} [${((performance.now() - started) / 1000).toFixed(0)} s]`);
  record(`detection by bar 500, AR(1) φ 0.3, ${label}`, (100 * hits) / n, "%", `${hits} of ${n}`);
  return { hits, n };
}

const TRAIN_BARS = 1_000;
const VANISHED_BARS = 3_000;

/** Review rounds (every ROUND_BARS) over a champion's live errors: the first live row at which it is demoted, or null. */
function firstDemotion(errors: readonly LiveError[], from: number, to: number): number | null {
  for (let end = from + ROUND_BARS; end <= to; end += ROUND_BARS) {
    if (reviewLive(errors.slice(0, end), DEFAULT_DEMOTION_RULES).verdict === "demote") return end;
  }
  return null;
}

/**
 * A champion serves a day of the AR(1) it learned, then φ drops to 0. A demotion during the day is
 * false when the champion's realised skill over that day is positive (a weak champion can do worse
 * than naive over a whole day: demoting it is right, and counted apart).
 */
function demotion(phi: number): void {
  phase(`demotion: φ ${phi} for a day, then 0`);
  const started = performance.now();
  const n = count(100);
  let falses = 0, rightly = 0;
  const delays: number[] = [];
  let never = 0;
  for (let seed = 1; seed <= n; seed++) {
    const skillEndsAt = TRAIN_BARS + DAY_BARS;
    const ds = buildDataset(barSeries({ family: "ar1", bars: skillEndsAt + VANISHED_BARS, seed: 40_000 + seed, skillEndsAt, phi })).dataset;
    const trainRows = TRAIN_BARS - 10;
    const champion = loadModel(trainLeague(sliceDataset(ds, 0, trainRows), { algorithms: EN }).runs[0]!.model);
    const live = scoreModel(champion, ds, { start: trainRows, end: ds.rows }).predictions;
    const errors: LiveError[] = Array.from(live, (p, i) => ({ time: ds.time[trainRows + i]!, error: ds.target[trainRows + i]! - p, naiveError: ds.target[trainRows + i]! - ds.last[trainRows + i]! }));
    // Live row r (dataset row trainRows + r) has its label at bar TRAIN_BARS + r: φ is 0 for labels from bar skillEndsAt on.
    const vanishRow = skillEndsAt - TRAIN_BARS;
    if (firstDemotion(errors, 0, vanishRow) !== null) {
      let sse = 0, sseNaive = 0;
      for (const e of errors.slice(0, vanishRow)) {
        sse += e.error ** 2;
        sseNaive += e.naiveError ** 2;
      }
      if (sse < sseNaive) falses++;
      else rightly++;
      continue;
    }
    const at = firstDemotion(errors, vanishRow, errors.length);
    if (at === null) never++;
    else delays.push(at - vanishRow);
  }
  delays.sort((a, b) => a - b);
  const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))];
  const minutes = (bars: number | undefined) => (bars === undefined ? "—" : `${bars} bars = ${((bars * 10) / 60).toFixed(0)} min`);
  console.log(`demotion, φ ${phi}: false demotions during the day (champion better than naive over it): ${falses} of ${n} = ${pct(falses, n)} (${wilson(falses, n)}); demoted while worse than naive over the day: ${rightly}`);
  console.log(`demotion, φ ${phi}: time to demote after the skill vanishes: median ${minutes(q(0.5))}, 90th percentile ${minutes(q(0.9))}; not demoted within ${VANISHED_BARS} bars: ${never} of ${n - falses - rightly} [${((performance.now() - started) / 1000).toFixed(0)} s]`);
  record(`false demotions per champion-day, AR(1) φ ${phi} skill holding (ElasticNet)`, (100 * falses) / n, "%", `${falses} of ${n}; ${rightly} more demoted while worse than naive over the day`);
  if (delays.length > 0) record(`time to demote after the skill vanishes, φ ${phi}, median`, (q(0.5)! * 10) / 60, "min", `${q(0.5)} bars of 10 s; p90 ${q(0.9)} bars; never within ${VANISHED_BARS} bars: ${never}`);
}

export async function run(): Promise<void> {
  checkPrefixShortcut();
  const rules = DEFAULT_PROMOTION_RULES;
  const first = firstTestableRows(rules.minTestRows);
  const at = (k: number) => roundAlpha(rules, first + (k - 1) * rules.rowsPerRound, first).toPrecision(2);
  console.log(`rule: ≥ ${rules.minTestRows} walk-forward held-out rows; Clark–West (Newey–West, HLN, Student t) vs naive, the league as one selection forecast (ElasticNet for its first ${SELECTION_BURN_IN} held-out rows, then each row by the candidate with the lowest squared error before it), round k (k = 1 at ${first} rows, the first that can test; one more every ${rules.rowsPerRound} rows) at α ${rules.falsePromotionRate}/(k·H(${rules.roundsPerDay})): ${at(1)} at k = 1, ${at(15)} at k = 15, ${at(rules.roundsPerDay)} at k = ${rules.roundsPerDay}`);
  const fp = falsePromotions(EN, count(60), "ElasticNet");
  const league = LEAGUE_DAYS > 0 ? falsePromotions(LEAGUE_ALGORITHMS, LEAGUE_DAYS, "full league") : null;
  if (!league) console.log(`full league over a day: skipped (ML_HONESTY_LEAGUE_DAYS=N runs N series per family, about half a minute of CPU per series)`);
  calibration();
  const full = detection(LEAGUE_ALGORITHMS, `full league (${LEAGUE_ALGORITHMS.join(", ")})`);
  const en = detection(EN, "ElasticNet alone");
  const demotionRules = DEFAULT_DEMOTION_RULES;
  console.log(`\ndemotion rule: one-sided Diebold–Mariano (Newey–West, HLN, Student t) on the newest ${demotionRules.window} live predictions, at least ${demotionRules.minLiveRows}, p ≤ ${demotionRules.alpha}, at every round (${ROUND_BARS} bars)`);
  demotion(0.3);
  demotion(0.12);
  const fpRate = fp.falses / fp.series;
  console.log(`\nfalse-promotion rate per symbol-day (ElasticNet, ${fp.series} series): ${pct(fp.falses, fp.series)} (${wilson(fp.falses, fp.series)}) — target ≤ 5 %: ${fpRate <= 0.05 ? "PASS" : "MISS"}`);
  if (league) console.log(`false-promotion rate per symbol-day (full league, ${league.series} series): ${pct(league.falses, league.series)} (${wilson(league.falses, league.series)}) — target ≤ 5 %: ${league.falses / league.series <= 0.05 ? "PASS" : "MISS"}`);
  console.log(`detection by bar 500, AR(1) φ 0.3, full league: ${pct(full.hits, full.n)} — target ≥ 90 %: ${full.hits / full.n >= 0.9 ? "PASS" : "MISS"}`);
  console.log(`detection by bar 500, AR(1) φ 0.3, ElasticNet alone: ${pct(en.hits, en.n)} — target ≥ 90 %: ${en.hits / en.n >= 0.9 ? "PASS" : "MISS"}`);
  record("false-promotion rate per symbol-day, all families (ElasticNet)", 100 * fpRate, "%", `${fp.falses} of ${fp.series}; target ≤ 5 %`);
  if (league) record("false-promotion rate per symbol-day, all families (full league)", (100 * league.falses) / league.series, "%", `${league.falses} of ${league.series}; target ≤ 5 %`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await run();
