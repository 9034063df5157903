import { test } from "node:test";
import assert from "node:assert/strict";
import { changeCounts, decisionLabel, eventLine, historyChange, importanceBars, naturalRunDirection, nextSort, pageCount, performanceSeries, polyline, skillTone, toMs } from "../../src/web/app/mlops/logic.js";

test("sorting: same column flips, a new column starts in its natural order", () => {
  assert.deepEqual(nextSort({ column: "startedAt", direction: "desc" }, "startedAt", naturalRunDirection), { column: "startedAt", direction: "asc" });
  assert.deepEqual(nextSort({ column: "startedAt", direction: "desc" }, "rmse", naturalRunDirection), { column: "rmse", direction: "asc" });
  assert.deepEqual(nextSort({ column: "rmse", direction: "asc" }, "skill", naturalRunDirection), { column: "skill", direction: "desc" });
  assert.deepEqual([pageCount(0, 15), pageCount(15, 15), pageCount(16, 15)], [1, 1, 2]);
});

test("skill tone, dates, importances", () => {
  assert.deepEqual([skillTone(0.1), skillTone(-0.1), skillTone(0), skillTone(null), skillTone(NaN)], ["up", "down", "muted", "muted", "muted"]);
  assert.equal(toMs("2026-11-28T08:00:00.000Z"), Date.UTC(2026, 10, 28, 8));
  assert.equal(toMs(new Date(5)), 5);
  assert.equal(toMs("nope"), null);
  assert.deepEqual(importanceBars([{ feature: "a", importance: 0.2 }, { feature: "b", importance: 0.8 }]), [
    { feature: "b", importance: 0.8, width: 1 },
    { feature: "a", importance: 0.2, width: 0.25 },
  ]);
  assert.deepEqual(importanceBars([{ feature: "a", importance: 0 }]), [{ feature: "a", importance: 0, width: 0 }]);
});

test("performance series pools versions sharing a bucket by prediction count", () => {
  const s = performanceSeries([
    { bucket: 2, modelVersion: "v", predictions: 1, rmse: 1, rmseNaive: 1 },
    { bucket: 1, modelVersion: "naive", predictions: 3, rmse: 2, rmseNaive: 2 },
    { bucket: 1, modelVersion: "X/v1", predictions: 1, rmse: 4, rmseNaive: 2 },
  ]);
  assert.deepEqual(s.map((p) => p.bucket), [1, 2]);
  assert.equal(s[0]!.rmse, Math.sqrt((3 * 4 + 16) / 4));
  assert.equal(s[0]!.rmseNaive, 2);
  assert.deepEqual(s[0]!.versions, ["X/v1", "naive"]);
  assert.equal(polyline([0, 5, 10], 100, 50, 10), "0.0,50.0 50.0,25.0 100.0,0.0");
  assert.equal(polyline([], 100, 50, 10), "");
});

test("event lines: one per meaningful event, per-tree progress left out", () => {
  assert.equal(eventLine({ type: "promoted", symbol: "BTCUSDT", version: "BTCUSDT/v2", kind: "elasticnet" }), "BTCUSDT: promoted BTCUSDT/v2 (elasticnet)");
  assert.equal(eventLine({ type: "not-promoted", symbol: "BTCUSDT", champion: null, reason: "not-significant-vs-naive: DM 0.6" }), "BTCUSDT: kept naive: not-significant-vs-naive: DM 0.6");
  assert.equal(eventLine({ type: "run-completed", symbol: "B", algorithm: "elasticnet", metrics: { skill: 0.0123 } }), "B: elasticnet done, skill 1.23%");
  assert.equal(eventLine({ type: "pool", event: { type: "progress", symbol: "B", algorithm: "random-forest" } }), null);
  assert.equal(eventLine({ type: "pool", event: { type: "started", symbol: "B", algorithm: "random-forest" } }), "B: random-forest started in a worker");
  assert.equal(eventLine({ type: "something-new" }), null);
  assert.equal(
    eventLine({ type: "demoted", symbol: "BTCUSDT", from: "BTCUSDT/v3", to: "naive", review: { verdict: "demote", rows: 412, rmse: 1.1, rmseNaive: 1 } }),
    "BTCUSDT: demoted BTCUSDT/v3 → naive (worse than naive, live skill -10.00% over 412 bars)",
  );
  assert.equal(eventLine({ type: "champion-reviewed", symbol: "BTCUSDT", version: "BTCUSDT/v3", review: { verdict: "keep" } }), null, "routine: one per round and symbol");
});

test("champion history: a demotion is marked, changes are counted by kind", () => {
  assert.deepEqual(historyChange("demoted"), { label: "demoted", className: "demoted" });
  assert.deepEqual([historyChange("promoted").label, historyChange("rolled-back").label], ["promoted", "rolled back"]);
  assert.equal(changeCounts([{ action: "promoted" }]), "1 promotion");
  assert.equal(changeCounts([{ action: "demoted" }, { action: "promoted" }, { action: "rolled-back" }, { action: "promoted" }]), "2 promotions · 1 demotion · 1 rollback");
});

test("a run's decision in a few words", () => {
  assert.equal(decisionLabel("promoted SYNUSDT/v3: beats-naive: skill 0.1, no champion yet", null), "promoted SYNUSDT/v3");
  assert.equal(decisionLabel("not-significant-vs-naive: Clark–West t 1.2, p 0.11 > Holm level 0.0002", null), "not-significant-vs-naive");
  assert.equal(decisionLabel("cooling-down: beats-naive: …; but SYNUSDT/v1 was demoted 3 min ago", null), "cooling-down");
  assert.equal(decisionLabel(null, "worker crashed"), "failed");
  assert.equal(decisionLabel(null, null), "—");
});
