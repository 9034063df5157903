import { test } from "node:test";
import assert from "node:assert/strict";
import type { Trade } from "../../src/market/trade.js";
import {
  addTradeToCandles,
  createCandles,
  currentCandle,
  flushCandles,
  restoreCandles,
  snapshotCandles,
  CandleOptionsError,
  type Candle,
  type CandleState,
} from "../../src/market/candles.js";
import { btcTrades, exactDecimalSum, xrpCandles, xrpTrades, type CcxtTrade } from "./fixtures.js";

function fromCcxt(c: CcxtTrade, i: number): Trade {
  return {
    source: "binance",
    symbol: "XRPETH",
    tradeId: c.info.a,
    price: c.price,
    quantity: c.amount,
    priceText: c.info.p,
    quantityText: c.info.q,
    tradeTime: c.timestamp,
    eventTime: c.timestamp,
    ingestTime: i,
    buyerIsMaker: c.info.m,
  };
}

function feed(state: CandleState, trades: Trade[]): Candle[] {
  const out: Candle[] = [];
  for (const t of trades) out.push(...addTradeToCandles(state, t).closedCandles);
  out.push(...flushCandles(state, -1));
  return out;
}

const XRP = xrpTrades();

for (const [name, intervalMs, withTrades] of [
  ["1m", 60_000, 2_469],
  ["5m", 300_000, 706],
] as const) {
  test(`XRP/ETH ${name} candles from 12,477 aggTrades equal Binance's ${name} klines for every minute with trades`, () => {
    const truth = new Map(xrpCandles(name).map((row) => [row[0], row]));
    const candles = feed(createCandles("XRPETH", { intervalMs }), XRP.map(fromCcxt));
    assert.equal(candles.length, withTrades);
    // Every Binance candle with volume has one of ours, and ours cover no other bucket.
    const withVolume = [...truth.values()].filter((r) => r[5] > 0).map((r) => r[0]);
    assert.deepEqual(candles.map((c) => c.openTime), withVolume);
    const byBucket = new Map<number, CcxtTrade[]>();
    for (const t of XRP) {
      const b = Math.floor(t.timestamp / intervalMs) * intervalMs;
      byBucket.set(b, [...(byBucket.get(b) ?? []), t]);
    }
    for (const c of candles) {
      const [, o, h, l, close, v] = truth.get(c.openTime)!;
      assert.deepEqual([c.open, c.high, c.low, c.close], [o, h, l, close], `ohlc @${c.openTime}`);
      // "Exactly": our volume is the double nearest to the exact decimal sum of Binance's quantity
      // strings (BigInt arithmetic in the test), and that equals Binance's number. Here all
      // quantities are whole XRP, so a naive float sum would also be exact: the 0.1 case below is
      // the one that tells the two apart.
      assert.equal(c.volume, Number(exactDecimalSum(byBucket.get(c.openTime)!.map((t) => t.info.q))), `exact volume @${c.openTime}`);
      assert.equal(c.volume, v, `volume @${c.openTime}`);
      assert.equal(c.tradeCount, byBucket.get(c.openTime)!.length);
    }
  });
}

function tr(tradeTime: number, price: number, quantity: number, tradeId: number): Trade {
  return { source: "t", symbol: "T", tradeId, price, quantity, priceText: String(price), quantityText: String(quantity), tradeTime, eventTime: tradeTime, ingestTime: tradeTime, buyerIsMaker: false };
}

test("volume is decimal-exact where a float sum is not (0.1 + 0.2 + 0.3)", () => {
  assert.notEqual(0.1 + 0.2 + 0.3, 0.6);
  const c = feed(createCandles("T"), [tr(1, 5, 0.1, 1), tr(2, 5, 0.2, 2), tr(3, 5, 0.3, 3)]);
  assert.equal(c[0]!.volume, 0.6);
  // Quantities beyond 8 decimals fall back to the float sum.
  const f = feed(createCandles("T"), [tr(1, 5, 0.123456789, 1), tr(2, 5, 0.1, 2)]);
  assert.equal(f[0]!.volume, 0.123456789 + 0.1);
});

test("emitted when the watermark passes the minute end; late trades counted, not merged", () => {
  const s = createCandles("T");
  assert.deepEqual(addTradeToCandles(s, tr(59_000, 10, 1, 1)).closedCandles, []);
  assert.deepEqual(addTradeToCandles(s, tr(61_999, 11, 1, 2)).closedCandles, []); // watermark 59 999
  assert.equal(addTradeToCandles(s, tr(58_000, 9, 1, 3)).late, false); // out of order but on time
  const closed = addTradeToCandles(s, tr(62_000, 12, 1, 4)).closedCandles; // watermark 60 000
  assert.deepEqual(
    closed.map((c) => [c.openTime, c.endTime, c.open, c.high, c.low, c.close, c.volume, c.quoteVolume, c.tradeCount, c.firstTradeId, c.lastTradeId, c.closedByIngestTime]),
    [[0, 60_000, 9, 10, 9, 10, 2, 19, 2, 1, 3, 62_000]],
  );
  const late = addTradeToCandles(s, tr(59_999, 1, 1, 5));
  assert.equal(late.late, true);
  assert.equal(s.lateTrades, 1);
  assert.equal(currentCandle(s, 0)!.tradeCount, 2);
  assert.throws(() => createCandles("T", { intervalMs: 0 }), CandleOptionsError);
});

test("BTCUSDT 1m candles equal a direct per-minute computation; snapshot/restore mid-stream changes nothing", () => {
  const trades = btcTrades();
  const whole = feed(createCandles("BTCUSDT"), trades);
  assert.equal(whole.length, 12); // 23:54 (partial) to 00:05 (partial)
  for (const c of whole) {
    const inside = trades.filter((t) => t.tradeTime >= c.openTime && t.tradeTime < c.openTime + 60_000);
    assert.equal(c.open, inside[0]!.price);
    assert.equal(c.close, inside[inside.length - 1]!.price);
    assert.equal(c.high, Math.max(...inside.map((t) => t.price)));
    assert.equal(c.low, Math.min(...inside.map((t) => t.price)));
    assert.equal(c.volume, Number(exactDecimalSum(inside.map((t) => t.quantityText))));
    assert.equal(c.tradeCount, inside.length);
  }
  const s = createCandles("BTCUSDT");
  const first: Candle[] = [];
  for (const t of trades.slice(0, 8_000)) first.push(...addTradeToCandles(s, t).closedCandles);
  const restored = restoreCandles(JSON.parse(JSON.stringify(snapshotCandles(s))));
  assert.deepEqual([...first, ...feed(restored, trades.slice(8_000))], whole);
});
