/**
 * The Candle contract (src/contracts/candle.ts): the serving column list is the migrated
 * PostgreSQL table's, a candle message becomes its 1-minute row, and bad ones are refused naming
 * the field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CANDLE_1M_COLUMNS, InvalidCandleMessage, candle1mRowFromMessage, candleSchema } from "../../src/contracts/candle.js";
import { CANDLES_1M } from "../../src/db/serving/upsert.js";
import { migrate } from "../../src/db/migrate.js";
import { addTradeToCandles, createCandles, flushCandles, type Candle } from "../../src/market/candles.js";
import type { Trade } from "../../src/market/trade.js";
import { postgresBackend } from "../db/fixtures.js";

function candlesOf(trades: Trade[]): Candle[] {
  const state = createCandles("BTCUSDT");
  const out: Candle[] = [];
  for (const t of trades) out.push(...addTradeToCandles(state, t).closedCandles);
  out.push(...flushCandles(state, t0 + 3_600_000));
  return out;
}

const t0 = Date.UTC(2026, 0, 1);
const trades: Trade[] = Array.from({ length: 600 }, (_, i) => {
  const price = 100 + Math.sin(i / 7);
  return { source: "test", symbol: "BTCUSDT", tradeId: i + 1, price, quantity: 0.5, priceText: String(price), quantityText: "0.5", tradeTime: t0 + i * 1_000, eventTime: t0 + i * 1_000, ingestTime: t0 + i * 1_000 + 5, buyerIsMaker: false };
});

test("the serving column list is the contract's, and it is the migrated PostgreSQL table's", async () => {
  assert.deepEqual(
    CANDLES_1M.columns.map((c) => [c.field, c.sql, c.type]),
    CANDLE_1M_COLUMNS.map((c) => [c.field, c.sql.name, c.sql.type]),
  );
  await using db = await postgresBackend().open();
  await migrate(db);
  const { rows } = await db.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'candles_1m'",
  );
  const actual = new Map(rows.map((r) => [r.column_name, r.data_type]));
  for (const c of CANDLE_1M_COLUMNS) assert.equal(actual.get(c.sql.name), c.sql.type, `column ${c.sql.name}`);
});

test("market candles pass the schema and become their 1-minute rows", () => {
  const candles = candlesOf(trades);
  assert.ok(candles.length >= 9, `${candles.length} candles`);
  for (const c of candles) {
    const json = JSON.parse(JSON.stringify(c));
    assert.deepEqual(candleSchema.parse(json), c);
    const row = candle1mRowFromMessage({ ...json, symbol: "btcusdt" });
    assert.deepEqual(Object.keys(row).sort(), CANDLE_1M_COLUMNS.map((k) => k.field).sort());
    assert.deepEqual(row, { symbol: "BTCUSDT", openTime: c.openTime, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume, tradeCount: c.tradeCount, quoteVolume: c.quoteVolume });
  }
});

test("bad candle messages are refused naming the field", () => {
  const [c] = candlesOf(trades);
  const cases: [unknown, RegExp][] = [
    [{ ...c, intervalMs: 300_000 }, /intervalMs/],
    [{ ...c, openTime: c!.openTime + 5 }, /whole minute/],
    [{ ...c, close: "1" }, /close/],
    [{ ...c, tradeCount: -1 }, /tradeCount/],
    [{ ...c, symbol: "" }, /symbol/],
  ];
  for (const [message, re] of cases) {
    assert.throws(() => candle1mRowFromMessage(message), (err: unknown) => err instanceof InvalidCandleMessage && re.test(err.message), String(re));
  }
});
