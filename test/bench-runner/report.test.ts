import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/index.js";
import { deadlineFor, parseRunnerOptions } from "../../bench/runner/options.js";
import { formatFigure, renderReport } from "../../bench/runner/report.js";
import type { RunContext } from "../../bench/runner/machine.js";

test("figures are formatted by size", () => {
  const cases: Array<[number, string]> = [
    [16_349_722.4, "16,349,722"],
    [140.6, "141"],
    [23.456, "23.5"],
    [2.666, "2.67"],
    [0, "0"],
    [1234, "1,234"],
    [0.0345, "0.035"],
    [NaN, "NaN"],
  ];
  for (const [value, text] of cases) assert.equal(formatFigure(value), text, String(value));
});

const context: RunContext = { commit: "abc123", dirtyFiles: [], date: "2026-12-04T18:00:00.000Z", cores: 2, cpuModel: "Xeon", memoryGiB: 23.5, node: "v20.20.2", natsServer: "nats-server: v2.9.10" };

test("the report names the commit, the machine, each bench's status and every figure", () => {
  const text = renderReport(
    context,
    [
      { bench: "market", status: "done", seconds: 12.3, figures: [{ name: "10 symbols | parse", figure: 412_345.6, unit: "trades/s", note: "heap Δ\n30 MB" }] },
      { bench: "pipeline", status: "deadline", seconds: 300, figures: [], detail: "phase: foldAll\npending 3" },
    ],
    "npm run bench -- --report market pipeline",
  );
  assert.match(text, /`abc123` \(clean tree\)/);
  assert.match(text, /2 cores, Xeon, 23\.5 GiB memory; Node\.js v20\.20\.2; nats-server: v2\.9\.10/);
  assert.match(text, /\| `market` \| 10 symbols \\\| parse \| 412,346 \| trades\/s \| heap Δ 30 MB \|/);
  assert.match(text, /\| `pipeline` \| deadline: phase: foldAll pending 3 \| 300 s \|/);
  assert.match(text, /\| `pipeline` \| \(no figures: deadline\) \|/);
  assert.match(text, /\| total \| \| 312 s \|/);
  assert.match(renderReport({ ...context, dirtyFiles: ["bench/x.ts"] }, [], "c"), /\*\*dirty tree\*\*: uncommitted changes in `bench\/x\.ts`/);
  const long = renderReport(context, [{ bench: "pipeline", status: "failed", seconds: 1, figures: [], detail: "x".repeat(5000) }], "c");
  assert.match(long, /\| failed: x{600} … \(the rest in the run's output\) \|/);
});

test("runner options: names, --report, pass-through flags and the deadline from flag or environment", () => {
  const o = parseRunnerOptions(["--report", "ml", "--quick", "market"], {});
  assert.deepEqual(o, { names: ["ml", "market"], report: true, deadlineMs: undefined, passThrough: ["--quick"] });
  assert.equal(deadlineFor("market", o), 20 * 60_000);
  assert.equal(deadlineFor("pipeline", o), 30 * 60_000);
  const env = parseRunnerOptions([], { BENCH_DEADLINE_S: "90" });
  assert.equal(deadlineFor("pipeline", env), 90_000);
  assert.equal(parseRunnerOptions(["--deadline", "2m"], { BENCH_DEADLINE_S: "90" }).deadlineMs, 120_000);
  assert.throws(() => parseRunnerOptions([], { BENCH_DEADLINE_S: "soon" }), (e: unknown) => e instanceof ConfigError && /BENCH_DEADLINE_S/.test(e.message));
  assert.throws(() => parseRunnerOptions(["--deadline"], {}), /--deadline: needs a duration/);
  assert.throws(() => parseRunnerOptions(["--deadline", "0s"], {}), /--deadline: must be more than 0/);
});
