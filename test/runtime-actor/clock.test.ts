import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../src/runtime/clock.js";

describe("ManualClock", () => {
  it("fires due timers in time order, ties in the order they were set, and moves now to each", () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    const note = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.setTimeout(note("c"), 30);
    clock.setTimeout(note("a"), 10);
    clock.setTimeout(note("b1"), 20);
    clock.setTimeout(note("b2"), 20);
    clock.setTimeout(note("late"), 100);
    clock.advance(30);
    assert.deepEqual(fired, ["a@1010", "b1@1020", "b2@1020", "c@1030"]);
    assert.equal(clock.now(), 1030);
    assert.equal(clock.pendingTimers, 1);
  });

  it("fires timers set while firing if they fall due within the advance", () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    assert.deepEqual(fired, [10, 20, 30]);
    assert.equal(clock.now(), 35);
    assert.equal(clock.pendingTimers, 1);
  });

  it("cancelled timers never fire and are not pending; zero and negative delays fire on the next advance", () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const h = clock.setTimeout(() => fired.push("cancelled"), 5);
    clock.setTimeout(() => fired.push("zero"), 0);
    clock.setTimeout(() => fired.push("negative"), -5);
    h.cancel();
    h.cancel();
    assert.equal(clock.pendingTimers, 2);
    clock.advance(0);
    clock.advance(10);
    assert.deepEqual(fired, ["zero", "negative"]);
    assert.equal(clock.pendingTimers, 0);
  });

  it("matches a reference model on random schedules", () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const clock = new ManualClock();
    const fired: number[] = [];
    const expected: { at: number; id: number }[] = [];
    const handles: { cancel(): void; id: number }[] = [];
    for (let id = 0; id < 500; id++) {
      const at = Math.floor(random() * 1000);
      handles.push({ ...clock.setTimeout(() => fired.push(id), at), id });
      expected.push({ at, id });
    }
    const cancelled = new Set<number>();
    for (const h of handles) if (random() < 0.3) (h.cancel(), cancelled.add(h.id));
    clock.advance(1000);
    const model = expected.filter((e) => !cancelled.has(e.id)).sort((a, b) => a.at - b.at || a.id - b.id).map((e) => e.id);
    assert.deepEqual(fired, model);
  });
});

describe("ManualClock memory", () => {
  it("does not keep cancelled timers around", () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(-1), 50);
    for (let i = 0; i < 100_000; i++) clock.setTimeout(() => fired.push(i), 10).cancel();
    assert.equal(clock.pendingTimers, 1);
    assert.ok(clock.heapSizeForTest <= 200, `heap holds ${clock.heapSizeForTest} entries`);
    clock.setTimeout(() => fired.push(1), 5);
    clock.advance(100);
    assert.deepEqual(fired, [1, -1]);
  });
});
