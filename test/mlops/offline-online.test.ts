import { test } from "node:test";
import assert from "node:assert/strict";
import { btcTrades } from "../market/fixtures.js";
import { FEATURE_NAMES } from "../../src/market/features.js";
import { buildDataset, InMemorySilverSource, LakeSilverSource } from "../../src/mlops/index.js";
import { Lake, LakeWriter, silverBarsDefinition, silverBarsMapping } from "../../src/lake/index.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import { lakeRowOf, onlineBars, tempDir } from "./support.js";

const ONLINE = onlineBars(btcTrades(), "BTCUSDT");

/** Every dataset row must carry exactly the feature vector the actor published for that bar. */
function assertOfflineEqualsOnline(online: readonly SilverBar[], built: ReturnType<typeof buildDataset>): void {
  const p = FEATURE_NAMES.length;
  const withFeatures = online.filter((b) => b.features !== null);
  // Every bar with features except the newest (no next bar to label it) is a row.
  assert.equal(built.dataset.rows, withFeatures.length - 1);
  for (let r = 0; r < built.dataset.rows; r++) {
    const bar = built.bars[built.barIndex[r]!]!;
    const live = online.find((b) => b.windowEnd === bar.windowEnd)!;
    assert.ok(live.features !== null, `bar ${live.windowEnd} has online features`);
    const offline = Array.from(built.dataset.x.subarray(r * p, (r + 1) * p));
    assert.deepEqual(offline, FEATURE_NAMES.map((n) => live.features![n]), `features of bar ending ${live.windowEnd}`);
    assert.equal(built.dataset.last[r], live.close);
    assert.equal(built.dataset.time[r], live.windowEnd);
    const next = online[online.indexOf(live) + 1]!;
    assert.equal(built.dataset.target[r], next.close, "label = the next bar's close");
  }
}

test("BTCUSDT recording: offline feature vectors equal the SymbolActor's online ones bar for bar", async () => {
  assert.ok(ONLINE.length > 50, `the recording gives ${ONLINE.length} bars`);
  const source = new InMemorySilverSource();
  // Shuffled and with a replayed duplicate: the source restores chronological order, one bar per window.
  source.add([...ONLINE].reverse());
  source.add(ONLINE.slice(20, 25));
  const bars = await source.bars("BTCUSDT");
  assert.equal(bars.length, ONLINE.length);
  assertOfflineEqualsOnline(ONLINE, buildDataset(bars));
});

test("the same holds for bars read back from the lake's silver table", async () => {
  using dir = tempDir();
  const lake = Lake.open(dir.path);
  const table = await lake.ensureTable(silverBarsDefinition);
  const writer = new LakeWriter({ table, mapping: silverBarsMapping, appId: "silver-test" });
  writer.add(ONLINE.map((b, i) => lakeRowOf(b, i + 1)), ONLINE.length);
  await writer.flush();
  const source = new LakeSilverSource(lake);
  assert.deepEqual(await source.symbols(), ["BTCUSDT"]);
  const bars = await source.bars("BTCUSDT");
  assert.equal(bars.length, ONLINE.length);
  assertOfflineEqualsOnline(ONLINE, buildDataset(bars));
  assert.deepEqual(await source.bars("ETHUSDT"), []);
});

test("a lake without a silver table is an empty source, not an error", async () => {
  using dir = tempDir();
  const source = new LakeSilverSource(Lake.open(dir.path));
  assert.deepEqual(await source.bars("BTCUSDT"), []);
  assert.deepEqual(await source.symbols(), []);
});
