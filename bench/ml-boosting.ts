/**
 * Our gradient boosting against the histogram learners it should be measured by, XGBoost `hist`
 * and scikit-learn's HistGradientBoostingRegressor (and scikit-learn's exact GradientBoosting),
 * side by side at the shape: 80,000 training rows of the league's input columns, the
 * league's rounds, depth and learning rate, one thread each, the same prepared matrices.
 * Wall and CPU time both: on a machine shared with other work the wall time swings with the
 * load, the CPU time of a one-thread fit much less. Part of bench/ml.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PARAMS, resolveParams } from "../src/ml/algorithms.js";
import { fitGradientBoosting } from "../src/ml/gradient-boosting.js";
import { prepareLeague, trainOnLeague } from "../src/ml/league.js";
import { syntheticMarket } from "../src/ml/synthetic.js";
import { SINGLE_SPLIT_80_20 } from "../src/ml/walk-forward.js";
import { record } from "./runner/figures.js";
import { exportLeagueData, runPython } from "./ml-python.js";

const SCRIPT = fileURLToPath(new URL("./ml_boosting.py", import.meta.url));
const ROWS = 100_000; // 80 % train: 80,000 rows
const REPEATS = 5;
const WARM_UP_FITS = 8;
/** Generous: the exact learner alone takes about 5 s here, the others under a second a fit. */
const PYTHON_DEADLINE_MS = 5 * 60_000;

const LIBRARIES: { algorithm: string; label: string }[] = [
  { algorithm: "xgboost-hist", label: "XGBoost hist" },
  { algorithm: "sklearn-histgb", label: "sklearn HistGradientBoosting" },
  { algorithm: "sklearn-exact", label: "sklearn GradientBoosting (exact)" },
];

interface Row {
  label: string;
  version: string;
  wallMs?: number;
  cpuMs?: number;
  /** Of wallMs, converting the data for the library. */
  setupMs?: number;
  rmse?: number;
  skipped?: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** Lines to print; `exact` adds scikit-learn's exact learner (about 5 s). */
export async function compareBoosting(opts: { phi: number; exact: boolean }): Promise<string[]> {
  const data = prepareLeague(syntheticMarket({ rows: ROWS, phi: opts.phi, seed: 42 }), { evaluation: SINGLE_SPLIT_80_20 });
  const p = resolveParams("gradient-boosting");
  const { rmse } = trainOnLeague(data, "gradient-boosting").metrics;
  // JIT warm-up: here a fit reaches its steady time only after about eight.
  for (let i = 0; i < WARM_UP_FITS; i++) fitGradientBoosting(data.train, p);
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now(), startedCpu = process.cpuUsage();
    fitGradientBoosting(data.train, p);
    const used = process.cpuUsage(startedCpu);
    wall.push(performance.now() - started);
    cpu.push((used.user + used.system) / 1000);
  }
  const ours: Row = { label: "ours (gradient-boosting)", version: "", wallMs: median(wall), cpuMs: median(cpu), rmse };

  const dir = mkdtempSync(join(tmpdir(), "bench-ml-boosting-"));
  let rows: Row[];
  try {
    exportLeagueData(dir, data, { repeats: REPEATS, params: DEFAULT_PARAMS });
    const label = `${SCRIPT} (XGBoost, HistGradientBoosting${opts.exact ? ", exact GradientBoosting" : ""}) on ${data.train.rows.toLocaleString("en")} rows`;
    const result = await runPython(label, SCRIPT, opts.exact ? [dir] : [dir, "--no-exact"], PYTHON_DEADLINE_MS);
    rows = LIBRARIES.filter((l) => opts.exact || l.algorithm !== "sklearn-exact").map(({ algorithm, label: name }): Row => {
      if (!result.ok) return { label: name, version: "", skipped: result.reason };
      const line = result.lines.find((l) => l.algorithm === algorithm);
      if (!line) return { label: name, version: "", skipped: "the script printed no line for it" };
      if ("skipped" in line) return { label: name, version: "", skipped: line.skipped };
      const row: Row = { label: name, version: line.version ?? "", wallMs: line.fit_s * 1000, rmse: line.rmse };
      if (line.cpu_s !== undefined) row.cpuMs = line.cpu_s * 1000;
      if (line.setup_s !== undefined) row.setupMs = line.setup_s * 1000;
      return row;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const shape = `${data.train.rows.toLocaleString("en")} × ${data.train.cols}`;
  const header =
    `gradient boosting at ${shape} training rows (${p.nRounds} rounds, depth ${p.maxDepth}, learning rate ${p.learningRate}, ≤ ${p.maxBins} bins, one thread; ` +
    `fit time median of ${REPEATS}${opts.exact ? " (the exact learner: once)" : ""}, wall and process CPU; RMSE held out, price units):`;
  record(`gradient-boosting fit, ${shape} training rows (ours, CPU)`, ours.cpuMs!, "ms", `wall ${fmtMs(ours.wallMs!)}; ${notes(rows)}`);
  for (const r of rows) {
    if (r.wallMs === undefined) continue;
    const cpu = r.cpuMs ?? r.wallMs;
    record(`${r.label} ${r.version} fit, same data (CPU)`, cpu, "ms", `wall ${fmtMs(r.wallMs)}; ours / it ${(ours.cpuMs! / cpu).toFixed(2)}; RMSE ${r.rmse!.toPrecision(6)} vs ours ${rmse.toPrecision(6)}`);
  }
  const setups = rows.filter((r) => r.setupMs !== undefined).map((r) => `${r.label}'s wall time includes ${fmtMs(r.setupMs!)} building its input matrix`);
  return [header, ...table([ours, ...rows]), ...setups];
}

function notes(rows: Row[]): string {
  return rows.map((r) => (r.wallMs === undefined ? `${r.label} skipped` : `${r.label} ${fmtMs(r.cpuMs ?? r.wallMs)} CPU`)).join("; ");
}

function table(rows: Row[]): string[] {
  const ours = rows[0]!;
  const header = ["learner", "version", "wall", "CPU", "ours / it (CPU)", "RMSE"];
  const body = rows.map((r) => {
    if (r.wallMs === undefined) return [r.label, "-", "-", "-", "-", `skipped: ${r.skipped}`];
    const cpu = r.cpuMs ?? r.wallMs;
    const rmse = r === ours ? r.rmse!.toPrecision(6) : `${r.rmse!.toPrecision(6)} (×${(r.rmse! / ours.rmse!).toFixed(4)})`;
    return [r.label, r.version || "-", fmtMs(r.wallMs), fmtMs(cpu), r === ours ? "-" : (ours.cpuMs! / cpu).toFixed(2), rmse];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.filter((b) => i < 5 || b[1] !== "-").map((b) => b[i]!.length)));
  return [header, ...body].map((cells) => cells.map((c, i) => (i < 2 || i === 5 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd());
}
