import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { waitFor } from "../helpers/wait.js";
import { InvalidParams } from "../../src/ml/errors.js";
import { loadModel } from "../../src/ml/model.js";
import { TrainingAborted, TrainingFailed, TrainingPool, TrainingPoolClosed, TrainingQueueFull, type TrainingEvent } from "../../src/ml/pool/index.js";
import { syntheticMarket } from "../../src/ml/synthetic.js";

const ds = syntheticMarket({ rows: 2_000, phi: 0.4, seed: 1 });
// Many ml-cart trees on 3 000 rows: minutes of work, so it is surely running when aborted.
const slowData = syntheticMarket({ rows: 3_000, phi: 0, seed: 2 });
const slow = { params: { nTrees: 500, maxDepth: 12 } };

test("a task trains on a worker thread and reports queued → started/progress → completed", async () => {
  const events: TrainingEvent[] = [];
  await using pool = new TrainingPool({ onEvent: (e) => events.push(e) });
  const result = await pool.train("BTCUSDT", "random-forest", ds, { params: { nTrees: 6 } });
  assert.notEqual(result.threadId, threadId);
  assert.notEqual(result.threadId, 0);
  assert.equal(result.run.kind, "random-forest");
  assert.equal(result.naive.kind, "naive");
  assert.ok(result.run.metrics.rmse > 0 && result.run.rows.train === 1_680);
  const model = loadModel(result.run.model);
  assert.ok(Number.isFinite(model.predict(Array.from(ds.x.subarray(0, 7)), ds.last[0]!)));
  assert.equal(ds.x.length, 2_000 * 7, "the caller's arrays are not detached");
  const types = events.map((e) => e.type);
  assert.equal(types[0], "queued");
  assert.equal(types.at(-1), "completed");
  const progress = events.flatMap((e) => (e.type === "progress" ? [e.done] : []));
  assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
  assert.ok(events.every((e) => e.symbol === "BTCUSDT" && e.algorithm === "random-forest" && e.taskId === events[0]!.taskId));
});

test("trainLeague runs one task per algorithm and returns every run with the naive baseline", async () => {
  await using pool = new TrainingPool({ maxQueue: 4 });
  const league = await pool.trainLeague("ETHUSDT", ds, { params: { "random-forest": { nTrees: 4 } } });
  assert.deepEqual(league.runs.map((r) => r.kind).sort(), ["decision-tree", "elasticnet", "gradient-boosting", "random-forest"]);
  assert.equal(league.naive?.kind, "naive");
  assert.deepEqual(league.failures, []);
  assert.ok(league.runs.every((r) => r.window.from === league.naive!.window.from));
});

test("aborting a running task terminates it with TrainingAborted and the pool keeps working", async () => {
  const events: TrainingEvent[] = [];
  await using pool = new TrainingPool({ onEvent: (e) => events.push(e) });
  const controller = new AbortController();
  const running = pool.train("BTCUSDT", "ml-random-forest", slowData, { ...slow, signal: controller.signal });
  await waitFor(() => events.some((e) => e.type === "started"), { timeoutMs: 30_000, what: "the task to start" });
  controller.abort();
  await assert.rejects(running, TrainingAborted);
  assert.equal(events.at(-1)?.type, "aborted");
  assert.equal(pool.pending, 0);
  const after = await pool.train("BTCUSDT", "elasticnet", ds);
  assert.equal(after.run.kind, "elasticnet");
});

test("the queue is bounded: past maxThreads + maxQueue tasks, TrainingQueueFull", async () => {
  await using pool = new TrainingPool({ maxThreads: 1, maxQueue: 1 });
  const controller = new AbortController();
  const first = pool.train("A", "ml-random-forest", slowData, { ...slow, signal: controller.signal });
  const second = pool.train("B", "ml-random-forest", slowData, { ...slow, signal: controller.signal });
  assert.equal(pool.pending, 2);
  await assert.rejects(pool.train("C", "elasticnet", ds), (e: unknown) => e instanceof TrainingQueueFull && e.capacity === 2 && e.retryable);
  // A league is admitted whole or not at all.
  await assert.rejects(pool.trainLeague("D", ds), TrainingQueueFull);
  assert.equal(pool.pending, 2);
  controller.abort(); // the queued task is cancelled too
  await assert.rejects(first, TrainingAborted);
  await assert.rejects(second, TrainingAborted);
  assert.equal(pool.pending, 0);
});

test("an already-aborted signal never reaches a worker", async () => {
  await using pool = new TrainingPool();
  await assert.rejects(pool.train("A", "elasticnet", ds, { signal: AbortSignal.abort() }), TrainingAborted);
  assert.equal(pool.pending, 0);
});

test("a failing task rejects with TrainingFailed carrying the worker's message", async () => {
  const events: TrainingEvent[] = [];
  await using pool = new TrainingPool({ onEvent: (e) => events.push(e) });
  await assert.rejects(pool.train("A", "decision-tree", ds, { params: { maxDepth: -1 } }), (e: unknown) => e instanceof TrainingFailed && /maxDepth/.test(e.message));
  const failed = events.find((e) => e.type === "failed");
  assert.ok(failed?.type === "failed" && /maxDepth/.test(failed.error));
});

test("close() lets submitted tasks finish, then refuses new ones", async () => {
  await using pool = new TrainingPool();
  const pending = pool.train("A", "gradient-boosting", ds);
  const closing = pool.close();
  await assert.rejects(pool.train("B", "elasticnet", ds), TrainingPoolClosed);
  assert.equal((await pending).run.kind, "gradient-boosting");
  await closing;
});

test("options are validated by name", () => {
  assert.throws(() => new TrainingPool({ maxThreads: 0 }), (e: unknown) => e instanceof InvalidParams && /maxThreads/.test(e.message));
  assert.throws(() => new TrainingPool({ maxQueue: -1 }), /maxQueue/);
});

test("under the tsx CLI (how the app runs) workers load the TypeScript worker too", () => {
  const dir = mkdtempSync(join(tmpdir(), "ml-pool-"));
  try {
    const script = join(dir, "main.mts");
    const poolUrl = new URL("../../src/ml/pool/index.ts", import.meta.url).href;
    const synthUrl = new URL("../../src/ml/synthetic.ts", import.meta.url).href;
    writeFileSync(
      script,
      `import { TrainingPool } from ${JSON.stringify(poolUrl)};
       import { syntheticMarket } from ${JSON.stringify(synthUrl)};
       const pool = new TrainingPool();
       const r = await pool.train("X", "decision-tree", syntheticMarket({ rows: 200, phi: 0.3 }));
       console.log(JSON.stringify({ kind: r.run.kind, threadId: r.threadId }));
       await pool.close();`,
    );
    const tsx = new URL("../../node_modules/.bin/tsx", import.meta.url).pathname;
    const child = spawnSync(tsx, [script], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    assert.equal(child.status, 0, child.stderr);
    const out = JSON.parse(child.stdout.trim()) as { kind: string; threadId: number };
    assert.equal(out.kind, "decision-tree");
    assert.ok(out.threadId > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
