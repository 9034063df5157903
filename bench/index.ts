/**
 * `npm run bench [-- <name> ...]`: runs the benchmarks (or the named ones, diagnostics included)
 * one after another, each in its own process under a whole-run deadline, and prints measured
 * figures. `--report` also writes docs/benchmarks.md (commit, machine, every recorded figure).
 * `--deadline 20m` or BENCH_DEADLINE_S=1200 sets every bench's deadline (default: bench/runner/options.ts).
 * Exits non-zero if any bench failed or passed its deadline. Speed targets live here, never in tests.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { DEFAULT_SET, deadlineFor, parseRunnerOptions } from "./runner/options.js";
import { killRunning, runBench, type BenchResult } from "./runner/run-bench.js";
import { runContext } from "./runner/machine.js";
import { renderReport } from "./runner/report.js";

const here = dirname(fileURLToPath(import.meta.url));
const options = parseRunnerOptions(process.argv.slice(2), process.env);
const available = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !f.startsWith(".") && f !== "index.ts")
  .map((f) => f.slice(0, -3));
const unknown = options.names.filter((n) => !available.includes(n));
if (unknown.length > 0) {
  console.error(`no benchmark named ${unknown.join(", ")}; available: ${available.join(", ")}`);
  process.exit(2);
}
const names = options.names.length === 0 ? DEFAULT_SET.filter((n) => available.includes(n)) : options.names;
// Read before the run: a tree that changes meanwhile is still reported as it was at the start.
const context = options.report ? runContext(process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server") : undefined;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killRunning();
    process.exit(130);
  });
}

const results: BenchResult[] = [];
for (const name of names) {
  const deadlineMs = deadlineFor(name, options);
  console.log(`\n=== bench/${name} (deadline ${(deadlineMs / 1000).toFixed(0)} s) ===`);
  const result = await runBench(name, deadlineMs, options.passThrough);
  results.push(result);
  console.log(`(bench/${name} ${result.status === "done" ? "took" : `${result.status} after`} ${result.seconds.toFixed(1)} s)`);
}

const failed = results.filter((r) => r.status === "failed" || r.status === "deadline");
if (context) {
  const command = `npm run bench -- --report${options.names.length > 0 ? ` ${options.names.join(" ")}` : ""}`;
  const path = join(here, "..", "docs", "benchmarks.md");
  writeFileSync(path, renderReport(context, results, command));
  console.log(`\nwrote ${path} (${results.reduce((n, r) => n + r.figures.length, 0)} figures from ${results.length} benches)`);
}
if (failed.length > 0) {
  console.error(`\n${failed.length} bench(es) did not finish: ${failed.map((r) => `${r.bench} (${r.status}: ${r.detail?.split("\n")[0] ?? ""})`).join("; ")}`);
  process.exit(1);
}
process.exit(0);
