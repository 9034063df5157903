import { test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase, migrate, upsertCandles1m, upsertSilverBars } from "../../src/db/index.js";
import { type SilverBarRow } from "../../src/contracts/silver-bar.js";
import { startWebStack, trpcClient } from "./fixtures.js";

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

function barRow(i: number): SilverBarRow {
  return {
    symbol: "ETHUSDT", windowStart: T0 + i * 10_000 - 30_000, windowEnd: T0 + i * 10_000,
    open: 2600, high: 2601, low: 2599, close: 2600 + i, avgPrice: 2600, vwap: 2600, volume: 3, tradeCount: 9, volatility: 0.4,
    lag1: null, lag3: null, ma5: null, ma10: null, momentum: null, volatilityChange: null,
    prediction: 2601 + i, predictionModelVersion: "ridge-7", closingTradeIngestTime: T0 + i * 10_000 + 2_000, emitTime: T0 + i * 10_000 + 2_011,
  };
}

test("with a database, history and symbols come from the serving tables, and /healthz probes it", async () => {
  const db = await openDatabase(); // PGlite in memory
  try {
    await migrate(db);
    await upsertCandles1m(db, Array.from({ length: 6 }, (_, i) => ({ symbol: "ETHUSDT", openTime: T0 + i * 60_000, open: 2600, high: 2610, low: 2590, close: 2605 + i, volume: 12.5, tradeCount: 40, quoteVolume: 32_500 })));
    await upsertSilverBars(db, Array.from({ length: 5 }, (_, i) => barRow(i)));
    await using stack = await startWebStack({ db });
    await using c = trpcClient(stack.server.url);

    assert.deepEqual(await c.client.market.symbols.query(), ["ETHUSDT"]);
    const candles = await c.client.market.candles.query({ symbol: "ETHUSDT", limit: 4 });
    assert.deepEqual(candles.map((x) => x.close), [2607, 2608, 2609, 2610]);
    const bars = await c.client.market.bars.query({ symbol: "ETHUSDT", limit: 2 });
    assert.deepEqual(bars.map((b) => [b.windowEnd, b.prediction, b.modelVersion, b.latencyMs, b.seq]), [
      [T0 + 30_000, 2604, "ridge-7", 11, null],
      [T0 + 40_000, 2605, "ridge-7", 11, null],
    ]);

    const health = await (await fetch(stack.server.url + "/healthz")).json();
    assert.deepEqual(health.db, { configured: true, reachable: true, error: null });
    await db.close();
    const down = await fetch(stack.server.url + "/healthz");
    assert.equal(down.status, 503);
    assert.equal((await down.json()).db.reachable, false);
  } finally {
    await db.close().catch(() => undefined);
  }
});
