import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { ActorSystem, ManualClock } from "../../src/runtime/actor/index.js";

describe("fairness", () => {
  it("an actor that keeps messaging itself does not starve the event loop or other actors", async () => {
    await using system = new ActorSystem({ name: "t", clock: new ManualClock(), throughput: 50 });
    const counts = { a: 0, b: 0 };
    for (const name of ["a", "b"] as const) {
      const ref = system.spawn<"again">(name, () => ({
        receive(_m, ctx) {
          counts[name]++;
          ctx.self.tryTell("again");
        },
      }));
      ref.tryTell("again");
    }
    // If the actors ran on microtasks alone, this macrotask would never get its turn.
    await nextTurn();
    await nextTurn();
    assert.ok(counts.a > 0 && counts.b > 0, `both actors progressed: ${JSON.stringify(counts)}`);
    const before = { ...counts };
    await nextTurn();
    assert.ok(counts.a > before.a && counts.b > before.b, "and keep progressing between event-loop turns");
    // Bounded per turn: one turn never runs more than `throughput` messages per actor.
    assert.ok(counts.a - before.a <= 50 * 2, `a ran ${counts.a - before.a} in a turn`);
    await system.shutdown({ drain: false });
  });
});
