import { test } from "node:test";
import assert from "node:assert/strict";
import { groupedImportances } from "../../src/mlops/queries.js";
import { FEATURE_NAMES } from "../../src/market/features.js";

test("importances are grouped as the model's columns: lag_3 and momentum are one, whatever split a fit gave them", () => {
  const share = { volatility: 0.2, lag_1: 0.2, lag_3: 0.05, ma_5: 0.1, ma_10: 0.1, momentum: 0.25, volatility_change: 0.1 };
  const groups = groupedImportances(FEATURE_NAMES.map((feature) => ({ feature, importance: share[feature as keyof typeof share] })));
  assert.equal(groups.length, 6);
  assert.deepEqual(groups[0]!.features, ["lag_3", "momentum"]);
  assert.ok(Math.abs(groups[0]!.importance - 0.3) < 1e-12);
  assert.deepEqual(groups.map((g) => g.features.join(" + ")).slice(1), ["volatility", "lag_1", "ma_5", "ma_10", "volatility_change"]);
  assert.ok(Math.abs(groups.reduce((sum, g) => sum + g.importance, 0) - 1) < 1e-12);
  // A run without recorded importances (the naive forecast after a demotion) has none to group.
  assert.deepEqual(groupedImportances([]), []);
});
