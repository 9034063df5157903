import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeMessage, groupTick, LAYOUTS, perSymbolMessages, type Layout } from "../../bench/log-layout.js";
import { emptyTail, encodePartitionMessage } from "../../src/ingest/partition-log.js";
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

/** The tick's messages in either layout, as the bench publishes them (per partition: the writer's encoding). */
function messagesOf(layout: Layout, trades: readonly Trade[], partitions: number): Array<{ subject: string; payload: Uint8Array }> {
  const groups = groupTick(trades, partitions);
  if (layout === "per symbol") return perSymbolMessages(groups);
  return groups.map((g) => ({ subject: `md.trades.${g.partition}.all`, payload: encodePartitionMessage(g.entries, emptyTail(), false) }));
}

test("log layout: both layouts carry every trade once, each symbol's in arrival order", () => {
  for (const layout of LAYOUTS) {
    const back = messagesOf(layout, arrived, 4).flatMap((m) => decodeMessage(m.payload, layout));
    assert.deepEqual(back.map(key).sort(), arrived.map(key).sort(), layout);
    for (const s of symbols) {
      const ids = back.filter((t) => t.symbol === s).map((t) => t.tradeId);
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), `${layout}: ${s}`);
    }
  }
  const perSymbol = perSymbolMessages(groupTick(arrived, 4));
  assert.equal(perSymbol.reduce((n, m) => n + m.trades, 0), arrived.length);
  assert.equal(new Set(perSymbol.map((m) => m.msgId)).size, perSymbol.length, "message ids are distinct");
});

test("log layout: one message per symbol on its subject, or one group per partition holding only its symbols", () => {
  const perSymbol = perSymbolMessages(groupTick(arrived, 4));
  assert.equal(perSymbol.length, symbols.length);
  for (const m of perSymbol) {
    const [t] = decodeMessage(m.payload, "per symbol");
    assert.equal(m.subject, `md.trades.${partitionOf(t!.symbol, 4)}.${t!.symbol}`);
  }
  const groups = groupTick(arrived, 4);
  assert.equal(groups.length, new Set(symbols.map((s) => partitionOf(s, 4))).size);
  for (const g of groups) {
    assert.ok(g.entries.every((e) => e.trades.every((t) => partitionOf(t.symbol, 4) === g.partition && t.symbol === e.trades[0]!.symbol)), "one symbol per entry, only its partition's");
  }
  assert.equal(groups.reduce((n, g) => n + g.entries.length, 0), symbols.length, "one entry per symbol");
});

test("log layout: a tick with no trades seals nothing", () => {
  assert.deepEqual(groupTick([], 32), []);
});
