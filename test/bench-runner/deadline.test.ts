import { test } from "node:test";
import assert from "node:assert/strict";
import { BenchDeadlineExceeded, describeActiveWaits, pollUntil, withDeadline } from "../../bench/runner/deadline.js";

test("work that settles in time is returned as is", async () => {
  assert.equal(await withDeadline("quick work", 60_000, Promise.resolve(7), () => "unused"), 7);
  await assert.rejects(withDeadline("failing work", 60_000, Promise.reject(new Error("boom"))), /boom/);
});

test("on expiry the wait fails with what it was waiting for, and its signal aborts", async () => {
  let signal: AbortSignal | undefined;
  const err = await withDeadline("the bars", 50, (s) => ((signal = s), new Promise<never>(() => {})), async () => "pending 12, bars 3").catch((e: unknown) => e);
  assert.ok(err instanceof BenchDeadlineExceeded);
  assert.equal(err.label, "the bars");
  assert.equal(err.waiting, "pending 12, bars 3");
  assert.match(err.message, /deadline of 0\.1 s passed waiting for the bars\n {4}pending 12, bars 3/);
  assert.equal(signal?.aborted, true);
});

test("a describer that throws still lets the wait fail with a description", async () => {
  const err = await withDeadline("x", 20, new Promise<never>(() => {}), () => {
    throw new Error("no connection");
  }).catch((e: unknown) => e);
  assert.ok(err instanceof BenchDeadlineExceeded);
  assert.equal(err.waiting, "(describing failed: no connection)");
});

test("pollUntil returns the first truthy value and counts throwing checks as not yet", async () => {
  let calls = 0;
  const value = await pollUntil("three calls", 60_000, () => {
    calls++;
    if (calls === 1) throw new Error("not up yet");
    return calls >= 3 ? `after ${calls}` : undefined;
  }, undefined, { intervalMs: 1 });
  assert.equal(value, "after 3");
});

test("pollUntil's description carries the last failed check", async () => {
  const err = await pollUntil("a server", 50, () => Promise.reject(new Error("ECONNREFUSED")), () => "port 1234", { intervalMs: 5 }).catch((e: unknown) => e);
  assert.ok(err instanceof BenchDeadlineExceeded);
  assert.equal(err.waiting, "port 1234\nlast check failed: ECONNREFUSED");
});

test("waits in flight are listed with their descriptions", async () => {
  let release!: () => void;
  const waiting = withDeadline("the release", 60_000, new Promise<void>((r) => (release = r)), () => "released: no");
  assert.match(await describeActiveWaits(), /waiting \d+\.\d s for the release\n {4}released: no/);
  release();
  await waiting;
  assert.match(await describeActiveWaits(), /no bench wait in flight/);
});
