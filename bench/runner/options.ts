/**
 * The bench runner's options: `npm run bench -- [--report] [--deadline 20m] [name ...]`.
 * BENCH_DEADLINE_S (seconds) sets the whole-run deadline of every bench; `--deadline` wins.
 */
import { ConfigError, parseDuration } from "../../src/config/index.js";

/** What a plain `npm run bench` (and `--report`) runs; other files are diagnostics or helpers, run by name. */
export const DEFAULT_SET = ["runtime-local", "runtime-cluster", "nats-request", "log-layout", "market", "ingest", "pipeline", "lake", "db", "ml", "mlops", "quality", "web", "gateway", "upload"];

/** Whole-run deadline per bench when none is given: generous, it catches hangs, not slowness. */
const DEFAULT_DEADLINE_MS = 20 * 60_000;
/**
 * The pipeline runs four pipelines (two of 600k trades at max speed, two latency runs; about a
 * minute on the development machine); the soak runs SOAK_MINUTES (default 10) plus its checks;
 * ml-honesty replays a day of rounds on 240 series (about 6 minutes here).
 */
const DEFAULT_DEADLINES_MS: Record<string, number> = { "ml-honesty": 15 * 60_000, pipeline: 30 * 60_000, "pipeline-fetch-deadline": 30 * 60_000, soak: 40 * 60_000 };

export interface RunnerOptions {
  names: string[];
  report: boolean;
  /** Set when given by flag or environment: then it applies to every bench. */
  deadlineMs: number | undefined;
  /** Other flags (e.g. ml's --quick), passed on to every bench. */
  passThrough: string[];
}

export function parseRunnerOptions(argv: readonly string[], env: NodeJS.ProcessEnv): RunnerOptions {
  let deadlineMs: number | undefined;
  const envDeadline = env.BENCH_DEADLINE_S;
  if (envDeadline !== undefined && envDeadline !== "") {
    const seconds = Number(envDeadline);
    if (!(seconds > 0)) throw new ConfigError(`BENCH_DEADLINE_S: "${envDeadline}" is not a positive number of seconds`);
    deadlineMs = seconds * 1000;
  }
  const names: string[] = [];
  let report = false;
  const passThrough: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--report") report = true;
    else if (arg === "--deadline") {
      const value = argv[++i];
      if (value === undefined) throw new ConfigError("--deadline: needs a duration (examples: 90s, 20m)");
      deadlineMs = parseDuration("--deadline", value);
      if (deadlineMs <= 0) throw new ConfigError("--deadline: must be more than 0");
    } else if (arg.startsWith("--")) passThrough.push(arg);
    else names.push(arg);
  }
  return { names, report, deadlineMs, passThrough };
}

export function deadlineFor(bench: string, options: RunnerOptions): number {
  return options.deadlineMs ?? DEFAULT_DEADLINES_MS[bench] ?? DEFAULT_DEADLINE_MS;
}
