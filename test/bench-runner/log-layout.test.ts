import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMessage, LAYOUTS, sealTick } from "../../bench/log-layout.js";
import type { Trade } from "../../src/market/trade.js";
import { partitionOf } from "../../src/runtime/cluster/partition.js";
import { defaultSymbols } from "../../src/simulator/synthetic-source.js";

const trade = (symbol: string, tradeId: number, at: number): Trade => ({
  source: "binance",
  symbol,
  tradeId,
  price: 100.5,
  quantity: 0.25,
  priceText: "100.5",
  quantityText: "0.25",
  tradeTime: at,
  eventTime: at,
  ingestTime: at,
  buyerIsMaker: tradeId % 2 === 0,
});

// 40 symbols over 4 partitions, several trades for some, interleaved as they arrive.
const symbols = defaultSymbols(40);
const arrived: Trade[] = [];
for (let k = 0; k < 100; k++) arrived.push(trade(symbols[(k * 7) % 13]!, 1000 + k, 1_700_000_000_000 + k));
for (const s of symbols.slice(13)) arrived.push(trade(s, 5, 1_700_000_000_200));

const key = (t: Trade) => `${t.symbol}#${t.tradeId}`;

test("log layout: both layouts carry every trade once, each symbol's in arrival order", () => {
  for (const layout of LAYOUTS) {
    const sealed = sealTick(arrived, layout, 4);
    const back = sealed.flatMap((m) => decodeMessage(m.payload, layout));
    assert.deepEqual(back.map(key).sort(), arrived.map(key).sort(), layout);
    assert.equal(sealed.reduce((n, m) => n + m.trades, 0), arrived.length, layout);
    for (const s of symbols) {
      const ids = back.filter((t) => t.symbol === s).map((t) => t.tradeId);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), `${layout}: ${s}`);
    }
    assert.equal(new Set(sealed.map((m) => m.msgId)).size, sealed.length, `${layout}: message ids are distinct`);
  }
});

test("log layout: one message per symbol on its subject, or one per partition holding its symbols", () => {
  const perSymbol = sealTick(arrived, "per symbol", 4);
  assert.equal(perSymbol.length, symbols.length);
  for (const m of perSymbol) {
    const [t] = decodeMessage(m.payload, "per symbol");
    assert.equal(m.subject, `md.trades.${partitionOf(t!.symbol, 4)}.${t!.symbol}`);
  }
  const perPartition = sealTick(arrived, "per partition", 4);
  const partitions = new Set(symbols.map((s) => partitionOf(s, 4)));
  assert.equal(perPartition.length, partitions.size);
  for (const m of perPartition) {
    const p = Number(m.subject.split(".")[2]);
    assert.equal(m.subject, `md.trades.${p}.ALL`);
    assert.ok(decodeMessage(m.payload, "per partition").every((t) => partitionOf(t.symbol, 4) === p), "only its partition's symbols");
  }
});

test("log layout: a tick with no trades seals nothing", () => {
  for (const layout of LAYOUTS) assert.deepEqual(sealTick([], layout, 32), []);
});
