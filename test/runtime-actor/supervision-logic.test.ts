import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidActorOption } from "../../src/runtime/actor/errors.js";
import { type RestartHistory, defaultStrategy, emptyRestartHistory, oneForOne, planRestart, restartForever, superviseFailure } from "../../src/runtime/actor/supervision.js";
import type { Directive } from "../../src/runtime/actor/types.js";

describe("planRestart", () => {
  const strategy = oneForOne({ maxRestarts: 3, withinMs: 1000, backoff: { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0 } });
  const zero = () => 0;

  /** Applies failures at the given times; returns each plan's kind and delay. */
  function run(times: number[]): string[] {
    let history: RestartHistory = emptyRestartHistory;
    return times.map((t) => {
      const plan = planRestart(history, strategy, t, zero);
      history = plan.history;
      return plan.kind === "restart" ? `restart ${plan.delayMs} (${plan.restartsInWindow})` : `exhausted (${plan.restartsInWindow})`;
    });
  }

  const table: { name: string; times: number[]; expected: string[] }[] = [
    { name: "delays double per consecutive restart", times: [0, 150, 400], expected: ["restart 100 (1)", "restart 200 (2)", "restart 400 (3)"] },
    { name: "a 4th failure within the window exhausts a budget of 3", times: [0, 10, 20, 30], expected: ["restart 100 (1)", "restart 200 (2)", "restart 400 (3)", "exhausted (3)"] },
    { name: "restarts older than the window leave the budget", times: [0, 10, 20, 1005], expected: ["restart 100 (1)", "restart 200 (2)", "restart 400 (3)", "restart 800 (3)"] },
    { name: "a quiet window resets the backoff", times: [0, 10, 2000], expected: ["restart 100 (1)", "restart 200 (2)", "restart 100 (1)"] },
    { name: "failures spaced just inside the window keep growing the delay", times: [0, 900, 1800, 2700], expected: ["restart 100 (1)", "restart 200 (2)", "restart 400 (2)", "restart 800 (2)"] },
  ];
  for (const row of table) {
    it(row.name, () => assert.deepEqual(run(row.times), row.expected));
  }

  it("maxRestarts 0 stops at the first failure", () => {
    const plan = planRestart(emptyRestartHistory, oneForOne({ maxRestarts: 0 }), 0, zero);
    assert.equal(plan.kind, "budget-exhausted");
  });
});

describe("oneForOne", () => {
  it("has the documented defaults", () => {
    assert.equal(defaultStrategy.maxRestarts, 10);
    assert.equal(defaultStrategy.withinMs, 60_000);
    assert.deepEqual({ ...defaultStrategy.backoff }, { initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 });
    assert.equal(defaultStrategy.decide(new Error("x")), "restart");
  });

  it("restartForever restarts after 500 ms .. 30 s with a budget no failing feed exhausts", () => {
    assert.equal(restartForever.decide(new Error("x")), "restart");
    assert.equal(restartForever.maxRestarts, 1_000_000);
    assert.deepEqual({ ...restartForever.backoff }, { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 });
  });

  it("merges a partial backoff and keeps a custom decide", () => {
    const s = oneForOne({ backoff: { initialMs: 5 }, decide: () => "stop" });
    assert.deepEqual({ ...s.backoff }, { initialMs: 5, maxMs: 30_000, factor: 2, jitter: 0.2 });
    assert.equal(s.decide(null), "stop");
  });

  const invalid: [string, Parameters<typeof oneForOne>[0]][] = [
    ["maxRestarts", { maxRestarts: -1 }],
    ["maxRestarts", { maxRestarts: 1.5 }],
    ["withinMs", { withinMs: 0 }],
    ["backoff.initialMs", { backoff: { initialMs: -1 } }],
    ["backoff.maxMs", { backoff: { initialMs: 100, maxMs: 50 } }],
    ["backoff.factor", { backoff: { factor: 0.5 } }],
    ["backoff.jitter", { backoff: { jitter: 1.5 } }],
  ];
  for (const [option, value] of invalid) {
    it(`rejects a bad ${option} with a message naming it`, () => {
      assert.throws(() => oneForOne(value), (e: unknown) => e instanceof InvalidActorOption && e.option === option && e.message.startsWith(option));
    });
  }
});

describe("superviseFailure", () => {
  const backoff = { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0 };
  const by = (d: Directive) => oneForOne({ maxRestarts: 1, withinMs: 1000, backoff, decide: () => d });
  const fresh = { history: emptyRestartHistory, hasInstance: true };
  const used = { history: { restartTimes: [0], consecutive: 1, lastFailureAt: 0 }, hasInstance: true };
  const table: { name: string; strategy: ReturnType<typeof oneForOne>; child: typeof fresh; expected: string }[] = [
    { name: "resume", strategy: by("resume"), child: fresh, expected: "resume" },
    { name: "stop", strategy: by("stop"), child: fresh, expected: "stop" },
    { name: "escalate", strategy: by("escalate"), child: fresh, expected: "escalate" },
    { name: "restart within budget", strategy: by("restart"), child: fresh, expected: "restart 50" },
    { name: "restart beyond budget", strategy: by("restart"), child: used, expected: "budget-exhausted" },
    { name: "resume without an instance restarts", strategy: by("resume"), child: { ...fresh, hasInstance: false }, expected: "restart 50" },
    { name: "resume without an instance still honours the budget", strategy: by("resume"), child: { ...used, hasInstance: false }, expected: "budget-exhausted" },
    { name: "a throwing decide escalates", strategy: oneForOne({ decide: () => { throw new Error("x"); } }), child: fresh, expected: "escalate" },
  ];
  for (const row of table) {
    it(`${row.name} → ${row.expected}`, () => {
      const outcome = superviseFailure(row.strategy, new Error("failure"), row.child, 10, () => 0);
      assert.equal(outcome.kind === "restart" ? `restart ${outcome.delayMs}` : outcome.kind, row.expected);
    });
  }

  it("decides from the error", () => {
    class Retryable extends Error {}
    const strategy = oneForOne({ decide: (e) => (e instanceof Retryable ? "restart" : "stop") });
    assert.equal(superviseFailure(strategy, new Retryable(), fresh, 0, () => 0).kind, "restart");
    assert.equal(superviseFailure(strategy, new Error(), fresh, 0, () => 0).kind, "stop");
  });
});
