import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPython } from "../../bench/ml-python.js";
import { BenchDeadlineExceeded } from "../../bench/runner/deadline.js";
import { waitFor } from "../helpers/wait.js";

// bench/ml's Python side without Python: Node runs small scripts in the interpreter's place.
const node = process.execPath;

function script(body: string): { path: string; dir: string; [Symbol.dispose](): void } {
  const dir = mkdtempSync(join(tmpdir(), "ml-python-test-"));
  const path = join(dir, "side.mjs");
  writeFileSync(path, body);
  return { path, dir, [Symbol.dispose]: () => rmSync(dir, { recursive: true, force: true }) };
}

test("result and skipped lines come back parsed, and the script runs with one-thread pools", async () => {
  using s = script(`
    console.log(JSON.stringify({ algorithm: "xgboost-hist", version: process.env.OMP_NUM_THREADS, fit_s: 0.1, rmse: 0.2 }));
    console.log(JSON.stringify({ algorithm: "sklearn-histgb", skipped: "No module named 'sklearn'" }));`);
  const run = await runPython("the side", s.path, [], 10_000, node);
  assert.deepEqual(run, {
    ok: true,
    lines: [
      { algorithm: "xgboost-hist", version: "1", fit_s: 0.1, rmse: 0.2 },
      { algorithm: "sklearn-histgb", skipped: "No module named 'sklearn'" },
    ],
  });
});

test("a missing interpreter is a skip with the reason and the install line, not a failure", async () => {
  using s = script("");
  const run = await runPython("the side", s.path, [], 10_000, "/nonexistent/python3");
  assert.equal(run.ok, false);
  assert.match(!run.ok ? run.reason : "", /no \/nonexistent\/python3 on this machine \(Debian: apt-get install python3-sklearn python3-xgboost\)/);
});

test("a script that fails otherwise fails the bench with its exit code and stderr", async () => {
  using s = script(`console.error("Traceback: boom"); process.exit(3);`);
  await assert.rejects(runPython("the side", s.path, [], 10_000, node), /the side: .*side\.mjs exited 3; stderr:\nTraceback: boom/);
});

test("past its deadline the script is killed and the bench fails saying what it waited for", async () => {
  using s = script(`
    import { writeFileSync } from "node:fs";
    writeFileSync(process.argv[2], String(process.pid));
    console.log(JSON.stringify({ algorithm: "xgboost-hist", fit_s: 0.1, rmse: 0.2 }));
    setInterval(() => {}, 1000);`);
  const pidFile = join(s.dir, "pid");
  const err = await runPython("the boosting libraries", s.path, [pidFile], 1_500, node).catch((e: unknown) => e);
  assert.ok(err instanceof BenchDeadlineExceeded, String(err));
  assert.equal(err.label, "the boosting libraries");
  assert.match(err.waiting, /side\.mjs .*running \d+ s; last result line: \{"algorithm":"xgboost-hist".*\}; stderr: \(empty\)/);
  const pid = Number(readFileSync(pidFile, "utf8"));
  await waitFor(() => !isAlive(pid), { what: `the script (pid ${pid}) to be killed` });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
