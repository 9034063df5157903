import { test } from "node:test";
import assert from "node:assert/strict";
import { lingerFor, LINGER_LOAD } from "../../src/ingest/linger.js";
import { budgetForLoad, eventLoopLoad } from "../../src/runtime/loop-load.js";

const DEFAULTS = { lingerMs: 5, idlePublishesPerSecond: 50_000, maxPublishesPerSecond: 5000 };

test("linger: lingerMs at the default 32 partition lanes, stretched by many lanes as the event loop gets busy, straight in between; never under lingerMs", () => {
  assert.equal(lingerFor(32, 0, DEFAULTS), 5);
  assert.equal(lingerFor(32, 1, DEFAULTS), 6.4, "32 lanes, saturated");
  assert.equal(lingerFor(1000, 0, DEFAULTS), 20);
  assert.equal(lingerFor(1000, LINGER_LOAD.lowLoad, DEFAULTS), 20);
  assert.equal(lingerFor(1000, LINGER_LOAD.highLoad, DEFAULTS), 200);
  assert.equal(lingerFor(1000, 1, DEFAULTS), 200);
  const mid = (LINGER_LOAD.lowLoad + LINGER_LOAD.highLoad) / 2;
  assert.equal(lingerFor(1000, mid, DEFAULTS), 1000_000 / 27_500);
  assert.equal(lingerFor(3, 1, DEFAULTS), 5, "few lanes: lingerMs");
  assert.equal(budgetForLoad(-1, { idle: 10, busy: 2, lowLoad: 0.5, highLoad: 1 }), 10);
  assert.equal(budgetForLoad(2, { idle: 10, busy: 2, lowLoad: 0.5, highLoad: 1 }), 2);
});

test("eventLoopLoad: near 1 over a period the loop spent busy, near 0 over one it spent waiting", async () => {
  const load = eventLoopLoad(100);
  const end = performance.now() + 250;
  while (performance.now() < end) {
    // busy: the loop never waits
  }
  assert.ok(load() > 0.8, `busy: ${load()}`);
  await new Promise((r) => setTimeout(r, 250));
  assert.ok(load() < 0.3, `idle: ${load()}`);
});
