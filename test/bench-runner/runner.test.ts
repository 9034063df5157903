import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runBench } from "../../bench/runner/run-bench.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

test("a bench past its whole-run deadline is ended, with its phase, figures and what it waited for", async () => {
  const result = await runBench(fixture("hangs"), 3_000);
  assert.equal(result.status, "deadline");
  assert.deepEqual(result.figures, [{ name: "first figure", figure: 42, unit: "things/s" }]);
  assert.match(result.detail ?? "", /phase: waiting for the never event/);
  assert.match(result.detail ?? "", /for the never event\n\s+3 of 10 never-events seen/);
});

test("a bench whose own wait deadline passes fails with what that wait was waiting for", async () => {
  const result = await runBench(fixture("wait-expires"), 120_000);
  assert.equal(result.status, "failed");
  assert.match(result.detail ?? "", /BenchDeadlineExceeded: deadline of 0\.2 s passed waiting for a counter to reach 10\n\s+counter at 3/);
});

test("flags the runner does not know (ml's --quick) reach the bench's process", async () => {
  const result = await runBench(fixture("flags"), 60_000, ["--quick"]);
  assert.equal(result.status, "done");
  assert.deepEqual(result.figures, [{ name: "--quick seen", figure: 1, unit: "flag" }]);
});
