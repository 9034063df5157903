/**
 * ML league benchmark: fit time and held-out RMSE per algorithm at 1k, 10k and 100k rows (80%
 * train), against scikit-learn on the same prepared matrices and parameters (one core); our
 * boosting against XGBoost `hist` and scikit-learn's HistGradientBoosting at 80k training rows
 * (ml-boosting.ts); the ml-cart / ml-random-forest libraries at 1k and 4k training rows; and the
 * event-loop delay of the main thread while the Piscina pool trains the league on 100k rows.
 * `--quick` (or BENCH_ML_QUICK=1) skips the 100k size and scikit-learn's exact boosting at 80k;
 * `--full` (or BENCH_ML_FULL=1) adds ml-random-forest at 4k training rows (about a minute).
 * Without Python, scikit-learn or XGBoost the library rows say why and show "-".
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DecisionTreeRegression } from "ml-cart";
import { DEFAULT_PARAMS, LEAGUE_ALGORITHMS, resolveParams, type ParamOverrides } from "../src/ml/algorithms.js";
import { prepareLeague, trainOnLeague, type LeagueData, type TrainingRun } from "../src/ml/league.js";
import { rmse } from "../src/ml/metrics.js";
import { SINGLE_SPLIT_80_20 } from "../src/ml/walk-forward.js";
import type { Algorithm } from "../src/ml/model-json.js";
import { TrainingPool } from "../src/ml/pool/index.js";
import { featureCount } from "../src/ml/random-forest.js";
import { returnToPrice } from "../src/ml/scaling.js";
import { syntheticMarket } from "../src/ml/synthetic.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";
import { compareBoosting } from "./ml-boosting.js";
import { exportLeagueData, runPython, type PythonResult } from "./ml-python.js";

const SKLEARN_SCRIPT = fileURLToPath(new URL("./ml_sklearn.py", import.meta.url));
const PHI = 0.3;

interface Row {
  rows: number;
  algorithm: string;
  oursMs: number;
  /** Mean over the size's datasets (seeds). */
  oursRmse: number;
  sklearnMs?: number;
  sklearnRmse?: number;
}

interface Variant {
  name: string;
  algorithm: Algorithm;
  params: ParamOverrides[Algorithm];
}

/** The league, plus the forest with every feature per split (scikit-learn's regression default). */
const VARIANTS: Variant[] = [
  ...LEAGUE_ALGORITHMS.map((algorithm) => ({ name: algorithm, algorithm, params: {} })),
  { name: "random-forest/all-features", algorithm: "random-forest", params: { maxFeatures: 1 } },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const repeatsFor = (rows: number) => (rows <= 1_000 ? 5 : rows <= 10_000 ? 3 : 1);
/** Deep trees on a few hundred held-out rows give noisy RMSEs: small sizes average several datasets. */
const seedsFor = (rows: number) => (rows <= 10_000 ? [42, 43, 44, 45, 46] : [42]);
const caseName = (rows: number, seed: number) => `${String(rows).padStart(7, "0")}-${seed}`;

/** The exact matrices the league fits on, for scikit-learn. */
function exportForSklearn(dir: string, data: LeagueData, repeats: number): void {
  const forest = DEFAULT_PARAMS["random-forest"];
  const params = { ...DEFAULT_PARAMS, "random-forest": { ...forest, maxFeaturesCount: featureCount(forest.maxFeatures, data.train.cols) } };
  exportLeagueData(dir, data, { repeats, params });
}

/** Fit time (median of `repeats`) and held-out RMSE of each variant on one dataset. */
function benchOurs(data: LeagueData, repeats: number): Map<string, { ms: number; rmse: number }> {
  const out = new Map<string, { ms: number; rmse: number }>();
  for (const v of VARIANTS) {
    const runs = Array.from({ length: repeats }, () => trainOnLeague(data, v.algorithm, v.params));
    out.set(v.name, { ms: median(runs.map((r) => r.fitMs)), rmse: runs[0]!.metrics.rmse });
  }
  return out;
}

/** scikit-learn's results by `case/algorithm`, or why there are none. */
async function runSklearn(dir: string): Promise<{ results: Map<string, PythonResult>; skipped?: string }> {
  const run = await runPython(`${SKLEARN_SCRIPT} (scikit-learn's league on every size)`, SKLEARN_SCRIPT, [dir], 10 * 60_000);
  if (!run.ok) return { results: new Map(), skipped: run.reason };
  const results = new Map<string, PythonResult>();
  for (const line of run.lines) {
    if ("skipped" in line) return { results: new Map(), skipped: line.skipped };
    results.set(`${line.case}/${line.algorithm}`, line);
  }
  return { results };
}

/** Ours and scikit-learn's on every dataset; time from the first seed, RMSE averaged over seeds. */
async function compare(sizes: number[]): Promise<{ rows: Row[]; sklearnSkipped?: string }> {
  const dir = mkdtempSync(join(tmpdir(), "bench-ml-"));
  try {
    const ours = new Map<string, Map<string, { ms: number; rmse: number }>>();
    for (const size of sizes) {
      for (const [i, seed] of seedsFor(size).entries()) {
        const data = prepareLeague(syntheticMarket({ rows: size, phi: PHI, seed }), { evaluation: SINGLE_SPLIT_80_20 });
        const repeats = i === 0 ? repeatsFor(size) : 1;
        exportForSklearn(join(dir, caseName(size, seed)), data, repeats);
        ours.set(caseName(size, seed), benchOurs(data, repeats));
      }
    }
    const { results: sklearn, skipped } = await runSklearn(dir);
    const rows = sizes.flatMap((size) =>
      VARIANTS.map((v) => {
        const cases = seedsFor(size).map((seed) => caseName(size, seed));
        const sk = cases.map((c) => sklearn.get(`${c}/${v.name}`));
        const row: Row = {
          rows: size,
          algorithm: v.name,
          oursMs: ours.get(cases[0]!)!.get(v.name)!.ms,
          oursRmse: mean(cases.map((c) => ours.get(c)!.get(v.name)!.rmse)),
        };
        if (sk.every((r) => r !== undefined)) {
          row.sklearnMs = sk[0]!.fit_s * 1000;
          row.sklearnRmse = mean(sk.map((r) => r!.rmse));
        }
        return row;
      }),
    );
    return skipped === undefined ? { rows } : { rows, sklearnSkipped: skipped };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JIT warm-up: timings are of optimised code (a cold first fit in a fresh worker costs a few ms more). */
function warmUp(): void {
  for (const size of [1_000, 2_000]) {
    const data = prepareLeague(syntheticMarket({ rows: size, phi: PHI, seed: 99 }), { evaluation: SINGLE_SPLIT_80_20 });
    for (let i = 0; i < 10; i++) for (const v of VARIANTS) trainOnLeague(data, v.algorithm, v.params);
  }
}

/** Best of 5: these single small fits land among collections of the 100k-row garbage. */
function bestRun(train: () => TrainingRun): TrainingRun {
  const runs = Array.from({ length: 5 }, train).sort((a, b) => a.fitMs - b.fitMs);
  return runs[0]!;
}

/** Rows as ml-cart takes them: one array per row. */
function arrayRows(m: { x: Float64Array; rows: number; cols: number }): number[][] {
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.x.subarray(i * m.cols, (i + 1) * m.cols)));
}

/** ml-cart tree (depth 8) and ml-random-forest (20 × depth 10) vs our histogram learners on the same rows. */
function benchLibraries(full: boolean): string[] {
  const lines: string[] = [];
  for (const trainRows of [1_000, 4_000]) {
    const data = prepareLeague(syntheticMarket({ rows: trainRows * 1.25, phi: PHI, seed: 11 }), { evaluation: SINGLE_SPLIT_80_20 });
    const x = arrayRows(data.train);
    // Ours first: the library's garbage would otherwise be collected inside our timing.
    const ours = bestRun(() => trainOnLeague(data, "decision-tree"));
    const oursForest = bestRun(() => trainOnLeague(data, "random-forest"));
    const tree = new DecisionTreeRegression({ maxDepth: DEFAULT_PARAMS["decision-tree"].maxDepth });
    const started = performance.now();
    tree.train(x, Array.from(data.train.y));
    const cartMs = performance.now() - started;
    record(`ml-cart tree, depth 8, ${trainRows.toLocaleString("en")} train rows (ours: histogram tree)`, cartMs, "ms", `ours ${fmtMs(ours.fitMs)} (best of 5)`);
    const cartPred = tree.predict(arrayRows(data.test)).map((r: number, i: number) => returnToPrice(r, data.test.last[i]!));
    lines.push(
      `ml-cart tree depth 8 (its default minNumSamples 3), ${trainRows} train rows: ${fmtMs(cartMs)} (ours, best of 5: ${fmtMs(ours.fitMs)}, ×${(cartMs / ours.fitMs).toFixed(0)}); ` +
        `RMSE ${rmse(cartPred, data.test.target).toPrecision(5)} vs ours ${ours.metrics.rmse.toPrecision(5)}`,
    );
    if (trainRows === 1_000 || full) {
      const forest = trainOnLeague(data, "ml-random-forest", { minSamplesLeaf: 1 });
      record(`ml-random-forest, 20 × depth 10, ${trainRows.toLocaleString("en")} train rows`, forest.fitMs, "ms", `ours ${fmtMs(oursForest.fitMs)} (best of 5)`);
      lines.push(
        `ml-random-forest 20 × depth 10 (all features per tree, minNumSamples 1), ${trainRows} train rows: ${fmtMs(forest.fitMs)} ` +
          `(ours, best of 5: ${fmtMs(oursForest.fitMs)}); RMSE ${forest.metrics.rmse.toPrecision(5)} vs ours ${oursForest.metrics.rmse.toPrecision(5)}`,
      );
    }
  }
  return lines;
}

/** Event-loop delay on the main thread while one pool worker trains the whole league. */
async function benchEventLoop(rows: number): Promise<string> {
  const ds = syntheticMarket({ rows, phi: PHI, seed: 5 });
  await using pool = new TrainingPool({ maxThreads: 1, maxQueue: 8 });
  await pool.train("WARMUP", "elasticnet", syntheticMarket({ rows: 200, phi: 0, seed: 1 })); // worker start-up not measured
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  const league = await withDeadline(`the pool to train the league on ${rows.toLocaleString("en")} rows`, 600_000, pool.trainLeague("BENCH", ds), () => `training pool: ${pool.pending} task(s) pending`);
  const wallMs = performance.now() - started;
  histogram.disable();
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  record(`event-loop delay p99 while the pool (1 thread) trains the league on ${rows.toLocaleString("en")} rows`, histogram.percentile(99) / 1e6, "ms", `p50 ${ms(histogram.percentile(50))} ms, max ${ms(histogram.max)} ms, ${fmtMs(wallMs)} wall`);
  return (
    `event-loop delay while the pool (1 thread) trains the 4-model league on ${rows.toLocaleString("en")} rows ` +
    `(${fmtMs(wallMs)} wall, ${league.runs.length} runs): p50 ${ms(histogram.percentile(50))} ms, ` +
    `p99 ${ms(histogram.percentile(99))} ms, max ${ms(histogram.max)} ms (target p99 < 20 ms)`
  );
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
}

function table(rows: Row[]): string[] {
  const header = ["rows", "algorithm", "ours", "sklearn", "ours/sk time", "ours RMSE", "sk RMSE", "RMSE ratio"];
  const body = rows.map((r) => [
    r.rows.toLocaleString("en"),
    r.algorithm,
    fmtMs(r.oursMs),
    r.sklearnMs === undefined ? "-" : fmtMs(r.sklearnMs),
    r.sklearnMs === undefined ? "-" : (r.oursMs / r.sklearnMs).toFixed(3),
    r.oursRmse.toPrecision(6),
    r.sklearnRmse?.toPrecision(6) ?? "-",
    r.sklearnRmse === undefined ? "-" : (r.oursRmse / r.sklearnRmse).toFixed(4),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  return [header, ...body].map((cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
}

export async function run(): Promise<void> {
  const quick = process.argv.includes("--quick") || process.env.BENCH_ML_QUICK === "1";
  // ml-random-forest on 4k rows takes about a minute: only on request.
  const full = process.argv.includes("--full") || process.env.BENCH_ML_FULL === "1";
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const gbt = resolveParams("gradient-boosting");
  const cols = prepareLeague(syntheticMarket({ rows: 1_000, phi: PHI, seed: 1 }), { evaluation: SINGLE_SPLIT_80_20 }).train.cols;
  console.log(
    `ML league vs scikit-learn (synthetic AR(1) returns, φ = ${PHI}, ${cols} input columns, 80/20 chronological split; ` +
      `ElasticNet α 0.1 l1 0.8; tree depth 8; forest 20 × depth 10, ${featureCount(1 / 3, cols)} of ${cols} columns per split; ` +
      `boosting ${gbt.nRounds} × depth ${gbt.maxDepth}, lr ${gbt.learningRate}; one core each; times: fit only, median; RMSE: held-out, in price units, mean over 5 datasets at 1k and 10k)`,
  );
  // The libraries first: after the 100k-row fits, the heap's state slows small fits several-fold.
  phase("ml-cart / ml-random-forest vs ours");
  warmUp();
  const libraryLines = benchLibraries(full);
  phase(`league vs scikit-learn at ${sizes.join(", ")} rows`);
  warmUp();
  const { rows, sklearnSkipped } = await compare(sizes);
  if (sklearnSkipped) console.log(`  scikit-learn skipped: ${sklearnSkipped}`);
  for (const line of table(rows)) console.log("  " + line);
  for (const size of sizes) {
    const at = rows.filter((r) => r.rows === size && r.sklearnMs !== undefined && r.algorithm !== "random-forest/all-features");
    if (at.length === 0) continue;
    const ours = at.reduce((s, r) => s + r.oursMs, 0), sk = at.reduce((s, r) => s + r.sklearnMs!, 0);
    const worst = Math.max(...at.map((r) => Math.abs(r.oursRmse / r.sklearnRmse! - 1)));
    record(`four-model league fit, ${size.toLocaleString("en")} rows (ours)`, ours, "ms", `scikit-learn ${fmtMs(sk)} (×${(sk / ours).toFixed(1)}); worst RMSE gap ${(worst * 100).toFixed(2)}%`);
    console.log(`  ${size.toLocaleString("en")} rows, all four: ours ${fmtMs(ours)} vs sklearn ${fmtMs(sk)} (×${(sk / ours).toFixed(1)} faster); worst RMSE gap ${(worst * 100).toFixed(2)}% (target < 2%)`);
  }
  phase("gradient boosting vs XGBoost hist and HistGradientBoosting at 80,000 training rows");
  for (const line of await compareBoosting({ phi: PHI, exact: !quick })) console.log("  " + line);
  for (const line of libraryLines) console.log("  " + line);
  phase("event-loop delay while the pool trains");
  console.log("  " + (await benchEventLoop(quick ? 10_000 : 100_000)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
