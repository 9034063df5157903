import { test } from "node:test";
import assert from "node:assert/strict";
import { firstTestableRows, walkForwardPlan, SINGLE_SPLIT_80_20 } from "../../src/ml/walk-forward.js";
import { InsufficientData } from "../../src/ml/errors.js";

test("expanding-window folds cover the held-out rows once, each trained only on earlier rows", () => {
  const plan = walkForwardPlan(490);
  assert.deepEqual(plan.heldOut, { start: 98, end: 490 });
  assert.equal(plan.folds.length, 5);
  let next = 98;
  for (const f of plan.folds) {
    assert.equal(f.test.start, next);
    assert.deepEqual(f.train, { start: 0, end: f.test.start });
    next = f.test.end;
  }
  assert.equal(next, 490);
  // The first span: at least 50 rows, at most 80 %.
  assert.equal(walkForwardPlan(100).heldOut.start, 50);
  assert.equal(walkForwardPlan(20).heldOut.start, 16);
  assert.equal(walkForwardPlan(10_000).heldOut.start, 2_000);
});

test("horizon h purges the h − 1 training rows whose labels reach into the test block", () => {
  const plan = walkForwardPlan(200, 3, { folds: 4 });
  for (const f of plan.folds) assert.equal(f.train.end, f.test.start - 2);
});

test("one fold at 80 % is the original split; too few rows is InsufficientData", () => {
  const plan = walkForwardPlan(100, 1, { folds: 1, initialTrainShare: 0.8, minInitialTrain: 1 });
  assert.deepEqual(plan.folds, [{ train: { start: 0, end: 80 }, test: { start: 80, end: 100 } }]);
  assert.throws(() => walkForwardPlan(12), InsufficientData);
  assert.throws(() => walkForwardPlan(100, 1, { folds: 0 }), /folds/);
});

test("firstTestableRows: the fewest rows whose plan holds out the rows asked for", () => {
  for (const [minHeldOut, horizon, options] of [[100, 1, {}], [100, 3, {}], [20, 1, {}], [100, 1, SINGLE_SPLIT_80_20], [37, 2, { folds: 3, initialTrainShare: 0.5, minInitialTrain: 10 }]] as const) {
    const rows = firstTestableRows(minHeldOut, horizon, options);
    const held = (n: number) => {
      try {
        const p = walkForwardPlan(n, horizon, options);
        return p.heldOut.end - p.heldOut.start;
      } catch {
        return 0;
      }
    };
    assert.ok(held(rows) >= minHeldOut, `${rows} rows hold out ${held(rows)}`);
    for (let n = 1; n < rows; n++) assert.ok(held(n) < minHeldOut, `${n} rows already hold out ${held(n)} ≥ ${minHeldOut}`);
  }
  assert.equal(firstTestableRows(100), 150, "the defaults: 50 initial training rows + 100 held out");
  assert.throws(() => firstTestableRows(0), RangeError);
});
