/**
 * Live/offline parity (issue 15): a bar a learned champion predicted must carry the features the
 * offline dataset computes for that bar, and its prediction must equal what the model stored in
 * the lake predicts on them. Both sides of the model call come from outside the running node: the
 * features from `buildDataset` over the silver source, the model from its artifact, so the check
 * covers the feature path and the model's own scaling, whatever that scaling is.
 */
import assert from "node:assert/strict";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import { featuresAt, type FeatureName } from "../../src/market/features.js";
import { buildDataset, type ArtifactStore, type SilverSource } from "../../src/mlops/index.js";

/** Absolute, in price units (prices here are ~100, so a few dozen ulps): the bound. */
export const PARITY_TOLERANCE = 1e-12;

/** Checks every non-naive bar of `live`; returns how many bars were checked per model version. */
export async function assertLiveEqualsOffline(live: readonly SilverBar[], source: SilverSource, artifacts: ArtifactStore): Promise<Map<string, number>> {
  const symbol = live[0]!.symbol;
  const built = buildDataset(await source.bars(symbol));
  const { dataset } = built;
  const cols = dataset.featureNames.length;
  const rowOf = new Map(built.barIndex.map((b, r) => [built.bars[b]!.windowEnd, r]));
  const checked = new Map<string, number>();
  for (const bar of live) {
    if (bar.modelVersion === "naive") continue;
    const at = `${bar.modelVersion}, bar ending ${bar.windowEnd}`;
    assert.ok(bar.features !== null && bar.prediction !== null, `${at}: a learned prediction has features`);
    const offline = offlineFeatures(built, rowOf.get(bar.windowEnd), bar.windowEnd);
    assert.ok(offline !== null, `${at}: not a dataset row, and not the newest bar`);
    assert.deepEqual(dataset.featureNames.map((n) => bar.features![n as FeatureName]), offline.features, `${at}: features`);
    assert.equal(bar.close, offline.last, `${at}: price`);
    const model = await artifacts.load(bar.modelVersion);
    const x = model.featureNames.map((n) => offline.features[dataset.featureNames.indexOf(n)]!);
    assert.equal(x.length, cols);
    const expected = model.predict(x, offline.last);
    assert.ok(Math.abs(bar.prediction - expected) <= PARITY_TOLERANCE, `${at}: live ${bar.prediction} vs offline ${expected}`);
    checked.set(bar.modelVersion, (checked.get(bar.modelVersion) ?? 0) + 1);
  }
  return checked;
}

/**
 * The dataset row's features and price; the newest bar has no label yet, hence no row, and is
 * compared with `featuresAt`, the function `featureMatrix` builds each row with.
 */
function offlineFeatures(built: ReturnType<typeof buildDataset>, row: number | undefined, windowEnd: number): { features: number[]; last: number } | null {
  const { dataset, bars } = built;
  const cols = dataset.featureNames.length;
  if (row !== undefined) return { features: Array.from(dataset.x.subarray(row * cols, (row + 1) * cols)), last: dataset.last[row]! };
  const newest = bars.length - 1;
  if (bars[newest]?.windowEnd !== windowEnd) return null;
  const f = featuresAt(bars, newest);
  if (f === null) return null;
  return { features: dataset.featureNames.map((n) => f[n as FeatureName]), last: bars[newest].close };
}
