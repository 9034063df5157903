import { test } from "node:test";
import assert from "node:assert/strict";
import { ShutdownSequence, ShutdownStepAbandoned } from "../../src/node/shutdown.js";
import { type ShutdownPhase } from "../../src/node/shutdown-budget.js";
import { MIN_STEP_MS, PHASE_ENDS, stepBudgetMs } from "../../src/node/shutdown-budget.js";
import { formatShutdownSummary, shutdownExitCode } from "../../src/node/shutdown-summary.js";
import { ShutdownLedger } from "../../src/node/shutdown-ledger.js";
import { StoppableClock } from "../../src/node/stoppable-clock.js";
import { ManualClock } from "../../src/runtime/clock.js";
import { ExitBackstop } from "../../src/node/exit-backstop.js";
import { createLogger } from "../../src/runtime/log.js";

test("steps run phase by phase, latest registered first within a phase, each once", async () => {
  const order: string[] = [];
  const seq = new ShutdownSequence()
    .add("close", "nats", () => void order.push("close:nats"))
    .add("release", "leases", () => void order.push("release:leases"))
    .add("stop-intake", "ingest", () => void order.push("stop-intake:ingest"))
    .add("flush", "lake", async () => void order.push("flush:lake"))
    .add("drain", "mailboxes", () => void order.push("drain:mailboxes"))
    .add("stop-intake", "gateway", () => void order.push("stop-intake:gateway"));
  const [a, b] = await Promise.all([seq.run(), seq.run()]);
  assert.equal(a, b);
  assert.deepEqual(order, ["stop-intake:gateway", "stop-intake:ingest", "drain:mailboxes", "flush:lake", "release:leases", "close:nats"]);
});

test("a failing step is reported and the rest still run", async () => {
  const order: string[] = [];
  const report = await new ShutdownSequence()
    .add("flush", "lake", () => {
      throw new Error("disk full");
    })
    .add("close", "nats", () => void order.push("nats"))
    .run();
  assert.deepEqual(order, ["nats"]);
  assert.equal(report.steps[0]?.error, "disk full");
  assert.equal(report.steps[1]?.error, undefined);
});

test("a step that overruns its budget is abandoned (its signal aborts) and the later steps still run", async () => {
  const clock = new ManualClock();
  const order: string[] = [];
  let aborted: unknown;
  const seq = new ShutdownSequence()
    .add("close", "nats", () => void order.push("close:nats"))
    .add("drain", "partitions", (d) => {
      d.signal.addEventListener("abort", () => (aborted = d.signal.reason));
      return new Promise<void>(() => {}); // a partition that never drains
    });
  const seen: string[] = [];
  const running = seq.run({ totalMs: 10_000, clock, onStep: (s) => seen.push(`${s.name}${s.abandoned ? " abandoned" : ""}`) });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [], "the drain step holds the sequence until its deadline");
  clock.advance(5_500); // drain's phase ends at 55 % of the bound
  const report = await running;
  assert.deepEqual(order, ["close:nats"]);
  assert.deepEqual(seen, ["partitions abandoned", "nats"]);
  const drain = report.steps[0]!;
  assert.equal(drain.abandoned, true);
  assert.equal(drain.budgetMs, 5_500);
  assert.match(drain.error ?? "", /abandoned after 5500 ms/);
  assert.ok(aborted instanceof ShutdownStepAbandoned);
  assert.equal(shutdownExitCode(report), 1);
});

test("step budgets: phases end at fixed fractions of the bound, later steps of a phase keep a reserve", () => {
  const cases: { phase: ShutdownPhase; elapsed: number; step: { index: number; of: number }; want: number }[] = [
    { phase: "stop-intake", elapsed: 0, step: { index: 0, of: 1 }, want: 6000 },
    // two steps: the first leaves half a fair share (6000 / 2 / 2) for the second
    { phase: "stop-intake", elapsed: 0, step: { index: 0, of: 2 }, want: 4500 },
    { phase: "stop-intake", elapsed: 4500, step: { index: 1, of: 2 }, want: 1500 },
    // time an earlier phase did not use rolls over
    { phase: "drain", elapsed: 100, step: { index: 0, of: 1 }, want: 16_400 },
    { phase: "close", elapsed: 24_000, step: { index: 0, of: 1 }, want: 3000 },
    // a phase whose time is gone still gives a step a moment
    { phase: "close", elapsed: 29_000, step: { index: 0, of: 1 }, want: MIN_STEP_MS },
  ];
  for (const c of cases) assert.equal(stepBudgetMs(30_000, c.phase, c.elapsed, c.step), c.want, JSON.stringify(c));
  assert.ok(PHASE_ENDS.close < 1, "the last part of the bound is kept for the summary and the exit");
});

test("the summary names the outcome, what was flushed and spooled, and what is left in the log", () => {
  const report = {
    ms: 7_000,
    totalMs: 8_000,
    steps: [
      { phase: "drain" as const, name: "partitions", ms: 4400, budgetMs: 4400, abandoned: true, error: "abandoned after 4400 ms" },
      { phase: "close" as const, name: "nats", ms: 10, budgetMs: 700, error: "NATS not drained" },
    ],
  };
  const line = formatShutdownSummary(report, {
    flushed: { "lake bronze_trades rows committed while stopping": 6 },
    spooled: {},
    leftInLog: { "STALL/stall-p1": { unacked: 1, undelivered: 0 }, "TRADES/symbols-p0": { unacked: 0, undelivered: 0 }, "TRADES/symbols-p2": "unknown", "TRADES/symbols-p3": { unacked: 2, localOnly: true } },
  });
  assert.equal(
    line,
    "shutdown summary: exit 1 after 7.0 s of the 8.0 s bound; abandoned: drain/partitions; failed: close/nats" +
      " | flushed: lake bronze_trades rows committed while stopping 6 | spooled to disk: nothing" +
      " | left in the log for the next owner: STALL/stall-p1 1 unacked + 0 undelivered, TRADES/symbols-p3 ≥2 unacked (counted here; NATS unreachable)," +
      " 1 consumer(s) with nothing left, 1 consumer(s) not counted (NATS unreachable; their backlog stays in the log)",
  );
  assert.match(formatShutdownSummary({ ms: 900, totalMs: 30_000, steps: [] }, {}), /^shutdown summary: exit 0 after 0\.9 s of the 30\.0 s bound; clean \| flushed: nothing/);
});

test("the ledger takes baselines when shutdown begins; a local count replaces an unknown one", () => {
  let written = 10;
  const ledger = new ShutdownLedger()
    .account("serving", () => {
      const before = written;
      return { durables: [{ stream: "SILVER", durable: "serving" }], figures: () => ({ flushed: { "serving rows written while stopping": written - before } }) };
    })
    .account("market", () => ({ durables: [{ stream: "TRADES", durable: "symbols-p3" }], figures: () => ({ leftInLog: { "TRADES/symbols-p3": { unacked: 2, localOnly: true } } }) }));
  ledger.begin();
  written += 5;
  assert.deepEqual(ledger.figures(), {
    flushed: { "serving rows written while stopping": 5 },
    spooled: {},
    leftInLog: { "SILVER/serving": "unknown", "TRADES/symbols-p3": { unacked: 2, localOnly: true } },
  });
});

test("a stoppable clock cancels every pending timer and refuses new ones", () => {
  const inner = new ManualClock();
  const clock = new StoppableClock(inner);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push("a"), 10);
  clock.setTimeout(() => fired.push("b"), 20);
  inner.advance(10);
  assert.equal(clock.pendingTimers, 1);
  clock.stop();
  clock.setTimeout(() => fired.push("c"), 1);
  inner.advance(100);
  assert.deepEqual(fired, ["a"]);
  assert.equal(inner.pendingTimers, 0);
});

test("the exit backstop: a shutdown past its bound, or a process still held open after it, exits with 1 and says so", async () => {
  const keepAlive = setInterval(() => {}, 1000); // the backstop's own timer is unref'd
  try {
    const lines: string[] = [];
    const log = createLogger({ node: "t", level: "debug", write: (l) => lines.push(l) });
    assert.equal(await new Promise<number>((exit) => new ExitBackstop(log, 20, exit)), 1);
    assert.match(lines.join("\n"), /shutdown did not end within SHUTDOWN_TIMEOUT; exiting with code 1 handles=/);
    assert.equal(await new Promise<number>((exit) => new ExitBackstop(log, 20, exit).finished()), 1);
    assert.match(lines.join("\n"), /stopped, but something still holds the process open; exiting with code 1 handles=.*Timeout/);
  } finally {
    clearInterval(keepAlive);
  }
});
