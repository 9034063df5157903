/**
 * Quarantined bars never reach training: the mlops dataset builder fed through
 * `excludingQuarantined(LakeSilverSource)` builds from the clean bars only, while the raw source
 * still holds the defective ones.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lake, LakeWriter, silverBarsDefinition, silverBarsMapping } from "../../src/lake/index.js";
import { LakeSilverSource, buildDataset } from "../../src/mlops/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { DEFAULT_QUALITY_OPTIONS, excludingQuarantined, runAudit } from "../../src/quality/index.js";
import { btcTrades, silverBarsOf } from "./fixtures.js";

test("training reads silver through the quarantine filter and never sees a quarantined bar", async () => {
  const dir = mkdtempSync(join(tmpdir(), "quality-train-"));
  try {
    const lake = Lake.open(dir);
    const trades = btcTrades();
    const bars = silverBarsOf("BTCUSDT", trades);
    bars[20]!.close = 0;
    bars[33]!.volatility = Number.NaN;
    const w = new LakeWriter({ table: await lake.ensureTable(silverBarsDefinition), mapping: silverBarsMapping, appId: "t" });
    w.add(bars, 1);
    await w.flush();
    const raw = new LakeSilverSource(lake);
    const filtered = excludingQuarantined(raw, lake);

    // Before any audit nothing is quarantined: the raw bars (with the zero close) reach the builder.
    assert.equal((await filtered.bars("BTCUSDT")).length, (await raw.bars("BTCUSDT")).length);

    const now = Math.max(...trades.map((t) => t.tradeTime)) + 1_000;
    const report = await runAudit({ lake, log: createLogger({ node: "n", level: "error", write: () => {} }), now: () => now, subscribed: () => [], options: DEFAULT_QUALITY_OPTIONS }, { trigger: "test", sinceMs: null });
    assert.equal(report.quarantined, 2);

    const rawBars = await raw.bars("BTCUSDT");
    const clean = await filtered.bars("BTCUSDT");
    assert.ok(rawBars.some((b) => b.close === 0 || Number.isNaN(b.volatility)), "the raw source still holds the defective bars");
    assert.equal(clean.length, rawBars.length - 2);
    assert.ok(clean.every((b) => b.close > 0 && Number.isFinite(b.volatility)));
    assert.deepEqual(await filtered.symbols(), ["BTCUSDT"]);
    const built = buildDataset(clean);
    assert.ok(built.dataset.rows > 0);
    for (let i = 0; i < built.dataset.rows; i++) assert.ok(built.dataset.last[i]! > 0);
    assert.throws(() => buildDataset(rawBars), "the unfiltered bars cannot make a valid dataset");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
