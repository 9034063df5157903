/**
 * The Python side of bench/ml: the league's prepared matrices written for it, and its scripts run
 * under a deadline. A missing Python or library is a skipped row with its reason, never a crash;
 * a script that fails otherwise, or outlives its deadline, fails the bench saying what it waited for.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LeagueData } from "../src/ml/league.js";
import { withDeadline } from "./runner/deadline.js";

/** Debian's interpreter: `python3-sklearn` and `python3-xgboost` install for it, not for a pyenv one. */
export const PYTHON = "/usr/bin/python3";
export const INSTALL_HINT = "apt-get install python3-sklearn python3-xgboost";

/** A learner's fit time (seconds) and held-out RMSE, from one JSON line of a script. */
export interface PythonResult {
  algorithm: string;
  /** The dataset, when a script runs several. */
  case?: string;
  version?: string;
  /** Wall time of one fit (the median of the repeats). */
  fit_s: number;
  /** Process CPU time of one fit, where the script measures it. */
  cpu_s?: number;
  /** The part of fit_s spent converting the data for the library (XGBoost's DMatrix). */
  setup_s?: number;
  rmse: number;
}

/** One JSON line of a script: a result, or why a learner (or, as "*", every one) was skipped. */
export type PythonLine = PythonResult | { algorithm: string; skipped: string };

export type PythonRun = { ok: true; lines: PythonLine[] } | { ok: false; reason: string };

function writeF64(path: string, a: Float64Array): void {
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** The exact matrices the league fits on, and `meta` (parameters, repeats) beside them. */
export function exportLeagueData(dir: string, data: LeagueData, meta: { repeats: number; params: unknown }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "meta.json"), JSON.stringify({ trainRows: data.train.rows, testRows: data.test.rows, cols: data.train.cols, ...meta }));
  writeF64(join(dir, "x_train.f64"), data.train.x);
  writeF64(join(dir, "y_train.f64"), data.train.y);
  writeF64(join(dir, "x_test.f64"), data.test.x);
  writeF64(join(dir, "last_test.f64"), data.test.last);
  writeF64(join(dir, "target_test.f64"), data.test.target);
}

/**
 * Runs `script args` on one thread (OMP/BLAS pools of 1) within `deadlineMs`; its stdout is JSON
 * lines. Async, so the runner's whole-bench deadline can still ask this process what it waits for.
 * `interpreter` is for tests.
 */
export async function runPython(label: string, script: string, args: string[], deadlineMs: number, interpreter = PYTHON): Promise<PythonRun> {
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  const started = Date.now();
  let stdout = "", stderr = "";
  const describe = () => {
    const lastLine = stdout.trim().split("\n").at(-1) || "(nothing yet)";
    return `${interpreter} ${script} ${args.join(" ")}, running ${((Date.now() - started) / 1000).toFixed(0)} s; last result line: ${lastLine}; stderr: ${stderr.slice(-500) || "(empty)"}`;
  };
  return withDeadline(
    label,
    deadlineMs,
    (signal) =>
      new Promise<PythonRun>((resolve, reject) => {
        const child = spawn(interpreter, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
        const kill = () => child.kill("SIGKILL");
        signal.addEventListener("abort", kill, { once: true });
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
        child.on("error", (err: NodeJS.ErrnoException) => {
          signal.removeEventListener("abort", kill);
          if (err.code === "ENOENT") resolve({ ok: false, reason: `no ${interpreter} on this machine (Debian: ${INSTALL_HINT})` });
          else reject(new Error(`${label}: could not start ${interpreter}: ${err.message}`));
        });
        child.on("close", (code, sig) => {
          signal.removeEventListener("abort", kill);
          if (signal.aborted) return; // the deadline reports it
          if (code !== 0) reject(new Error(`${label}: ${script} exited ${code ?? sig}; stderr:\n${stderr.slice(-2000)}`));
          else resolve({ ok: true, lines: stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as PythonLine) });
        });
      }),
    describe,
  );
}
