/**
 * The latency read-back behind `npm run bench -- scale` and `pipeline` (bench/pipeline-latency.ts)
 * on a real nats-server: a bar counts as trade → prediction only when a trade closed it; bars
 * closed by an idle mark, and bars whose closing trade is not in the log, are reported apart.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startNatsWithStreams } from "../helpers/nats-streams.js";
import { encodeLogMark, encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import type { Trade } from "../../src/market/trade.js";
import { latencyBreakdown } from "../../bench/pipeline-latency.js";

const T0 = 1_700_000_000_000;
const STREAMS = [
  { name: "TRADES", subjects: ["md.trades.>"] },
  { name: "SILVER", subjects: ["silver.>"] },
];

const trade = (tradeId: number, ingestTime: number): Trade => ({ source: "binance", symbol: "AAAUSDT", tradeId, price: 1, quantity: 1, priceText: "1", quantityText: "1", tradeTime: ingestTime, eventTime: ingestTime, ingestTime, buyerIsMaker: false });
const bar = (windowEnd: number, closedByIngestTime: number, emittedAt: number) => new TextEncoder().encode(JSON.stringify({ symbol: "AAAUSDT", windowEnd, closedByIngestTime, emittedAt }));

test("latency breakdown: bars closed by a trade, by an idle mark, and unmatched, each apart", async () => {
  await using nats = await startNatsWithStreams(STREAMS);
  const { nc, js } = nats;
  await js.publish("md.trades.0.AAAUSDT", encodeTradeBatch([trade(1, T0 + 100), trade(2, T0 + 1100)]));
  await js.publish("md.trades.0.AAAUSDT", encodeLogMark({ source: "binance", symbol: "AAAUSDT", lastId: 2, at: T0 + 5000, watermark: T0 + 3000 }));
  await js.publish("silver.AAAUSDT", bar(T0 + 1000, T0 + 1100, T0 + 1112)); // closed by trade 2: 12 ms
  await js.publish("silver.AAAUSDT", bar(T0 + 2000, T0 + 5000, T0 + 5040)); // closed by the mark: 40 ms
  await js.publish("silver.AAAUSDT", bar(T0 + 3000, T0 + 4000, T0 + 4500)); // closing time in no batch or mark: 500 ms
  const b = await latencyBreakdown(nc, () => T0);
  assert.equal(b.bars, 3);
  assert.deepEqual([b.closedByTrade.count, b.closedByTrade.p50], [1, 12]);
  assert.deepEqual([b.closedByMark.count, b.closedByMark.p50], [1, 40]);
  assert.deepEqual([b.unmatched.count, b.unmatched.p50], [1, 500]);
  assert.equal(b.total.count, 3);
  assert.equal(b.total.max, 500);
  assert.equal(b.matched, 2, "the trade and the mark were found in TRADES");
  // Bars before the warm-up cut are left out.
  assert.equal((await latencyBreakdown(nc, () => T0 + 1500)).bars, 2);
});
