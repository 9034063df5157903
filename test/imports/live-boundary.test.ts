/**
 * Where live processing of a symbol begins, read from TRADES in either layout: its own subject's
 * first trade of this source, or its first trade in its partition's per-partition messages
 * (among other symbols' entries), whichever is earlier.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { encodeLogMark, encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import { emptyTail, encodePartitionMessage, partitionLogSubject } from "../../src/ingest/partition-log.js";
import { liveBoundary } from "../../src/imports/live-boundary.js";
import { tradeLogSubject } from "../../src/ingest/publisher.js";
import type { Trade } from "../../src/market/trade.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import { startStack } from "../ingest/support.js";

const trade = (symbol: string, id: number, time: number, source = "binance"): Trade => ({ source, symbol, tradeId: id, price: 1, quantity: 1, priceText: "1", quantityText: "1", tradeTime: time, eventTime: time, ingestTime: time, buyerIsMaker: false });

test("live boundary: none without trades; the first trade of the symbol and source on its subject or in its partition's messages, the earlier of the two", async () => {
  await using stack = await startStack();
  const js = jetstream(stack.nc);
  const jsm = await jetstreamManager(stack.nc);
  const at = (symbol: string) => liveBoundary({ js, jsm, partitions: 32, source: "binance", symbol });
  assert.equal(await at("BTCUSDT"), null);

  const p = partitionOf("BTCUSDT", 32);
  const other = Array.from({ length: 500 }, (_, k) => `Q${k}USDT`).find((s) => partitionOf(s, 32) === p)!;
  // Per-partition messages: other symbols, another source and a mark come before BTCUSDT's first binance trade.
  await js.publish(partitionLogSubject(p), encodePartitionMessage([{ trades: [trade(other, 1, 5_000)] }, { mark: { source: "binance", symbol: "BTCUSDT", lastId: 0, at: 1, watermark: 1 } }], emptyTail(), true));
  await js.publish(partitionLogSubject(p), encodePartitionMessage([{ trades: [trade("BTCUSDT", 1, 4_000, "custom")] }], emptyTail(), false));
  await js.publish(partitionLogSubject(p), encodePartitionMessage([{ trades: [trade(other, 2, 6_000)] }, { trades: [trade("BTCUSDT", 7, 9_000), trade("BTCUSDT", 8, 9_500)] }], emptyTail(), false));
  assert.equal(await at("BTCUSDT"), 9_000);
  assert.equal(await at(other), 5_000);

  // The symbol's own subject holds an earlier first trade: it wins; a later one would not.
  await js.publish(tradeLogSubject("binance", "BTCUSDT", 32), encodeLogMark({ source: "binance", symbol: "BTCUSDT", lastId: 0, at: 1, watermark: 1 }));
  await js.publish(tradeLogSubject("binance", "BTCUSDT", 32), encodeTradeBatch([trade("BTCUSDT", 3, 8_000)]));
  assert.equal(await at("BTCUSDT"), 8_000);
  await js.publish(tradeLogSubject("binance", other, 32), encodeTradeBatch([trade(other, 9, 7_000)]));
  assert.equal(await at(other), 5_000);
});
