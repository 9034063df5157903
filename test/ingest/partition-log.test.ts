/**
 * The per-partition trade message and its idempotency rule, as pure logic: the codec keeps every
 * entry and checkpoint, bad messages get a clear error, a tail folded from messages (own or read)
 * holds every key's last id, and trimming against it leaves only ids above those.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { advanceTail, advanceTailOwn, decodePartitionMessage, entryLastId, emptyTail, encodePartitionMessage, LastIds, partitionLogSubject, trimEntries, type OutEntry, type PartitionTail } from "../../src/ingest/partition-log.js";
import type { Trade } from "../../src/market/trade.js";
import { rng } from "../market/fixtures.js";

function trade(symbol: string, id: number, source = "binance"): Trade {
  const price = 100 + (id % 7) / 4;
  return { source, symbol, tradeId: id, price, quantity: 0.5, priceText: price.toFixed(8), quantityText: "0.50000000", tradeTime: 1_700_000_000_000 + id, eventTime: 1_700_000_000_001 + id, ingestTime: 1_700_000_000_002 + id, buyerIsMaker: id % 3 === 0 };
}

const batch = (symbol: string, from: number, to: number, source?: string): OutEntry => ({ trades: Array.from({ length: to - from + 1 }, (_, k) => trade(symbol, from + k, source)) });

const idsOf = (entries: readonly OutEntry[]) => entries.map((e) => ("mark" in e ? `mark ${e.mark.symbol}@${e.mark.lastId}` : `${e.trades[0]!.symbol} ${e.trades.map((t) => t.tradeId).join(",")}`));

test("a partition message keeps every batch and mark, in order, with the checkpoint it points to", () => {
  const tail: PartitionTail = { seq: 41, checkpointSeq: 17, lastIds: new LastIds() };
  const mark = { source: "binance", symbol: "ETHUSDT", lastId: 9, at: 1_700_000_000_500, watermark: 1_700_000_000_000 };
  const entries: OutEntry[] = [batch("BTCUSDT", 5, 7), { mark }, batch("SOLUSDT", 8, 8), batch("XRPUSDT", 3, 4, "custom")];
  const m = decodePartitionMessage(encodePartitionMessage(entries, tail, false));
  assert.equal(m.checkpoint, null);
  assert.equal(m.checkpointSeq, 17);
  assert.deepEqual(m.entries[0]!.trades, (entries[0] as { trades: Trade[] }).trades);
  assert.deepEqual(m.entries[1], { trades: [], mark });
  assert.deepEqual(m.entries[2]!.trades.map((t) => t.tradeId), [8]);
  assert.deepEqual(m.entries[3]!.trades.map((t) => [t.source, t.tradeId]), [["custom", 3], ["custom", 4]]);
  assert.equal(partitionLogSubject(7), "md.trades.7.all");
});

test("a checkpoint holds the tail's last ids raised by its own entries, and replaces the tail's when folded", () => {
  const tail = emptyTail();
  tail.lastIds.raise("binance", "BTCUSDT", 10);
  tail.lastIds.raise("binance", "XRPUSDT", 70);
  const m = decodePartitionMessage(encodePartitionMessage([batch("BTCUSDT", 11, 12), batch("ETHUSDT", 3, 3)], tail, true));
  assert.deepEqual(m.checkpoint?.toWire(), { binance: { BTCUSDT: 12, XRPUSDT: 70, ETHUSDT: 3 } });
  const reader: PartitionTail = { seq: 3, checkpointSeq: undefined, lastIds: new LastIds() };
  reader.lastIds.raise("binance", "DOGEUSDT", 1); // not in the checkpoint: the checkpoint is the whole truth
  advanceTail(reader, 9, m);
  assert.deepEqual(reader.lastIds.toWire(), { binance: { BTCUSDT: 12, XRPUSDT: 70, ETHUSDT: 3 } });
  assert.equal(reader.checkpointSeq, 9);
  assert.throws(() => advanceTail(reader, 9, m), /fold in stream order/);
});

test("bad partition messages are refused with a reason", () => {
  const good = JSON.parse(new TextDecoder().decode(encodePartitionMessage([batch("BTCUSDT", 1, 2)], emptyTail(), false))) as Record<string, unknown>;
  const cases: Array<[unknown, RegExp]> = [
    ["{", /not JSON/],
    [{ ...good, v: 1 }, /unknown version 1/],
    [{ ...good, e: [] }, /without entries/],
    [{ ...good, cp: -3 }, /cp -3 is not a stream sequence/],
    [{ ...good, e: [good.e, { v: 1, source: "binance", symbol: "X", firstId: 1, lastId: 1, id: [1], p: ["1"], q: ["1"], T: [1], E: [1], i: [1], m: ["no"] }].flat() }, /entry 1: .*column m/],
    [{ ...good, hwm: { binance: { BTCUSDT: "12" } } }, /hwm of binance:BTCUSDT is "12", not a whole id/],
    [{ ...good, hwm: [] }, /hwm is not an object/],
    [{ ...good, e: [good.e, good.e].flat() }, /entry 1: a second entry of BTCUSDT \(one per symbol\)/],
  ];
  for (const [wire, reason] of cases) assert.throws(() => decodePartitionMessage(typeof wire === "string" ? wire : JSON.stringify(wire)), reason, JSON.stringify(wire).slice(0, 80));
  assert.throws(() => encodePartitionMessage([], emptyTail(), false), /without entries/);
});

test("trimming keeps only the ids above each key's last id and drops marks the log has gone past", () => {
  const last = new LastIds();
  last.raise("binance", "BTCUSDT", 7);
  last.raise("binance", "ETHUSDT", 20);
  const entries: OutEntry[] = [
    batch("BTCUSDT", 5, 9),
    batch("ETHUSDT", 18, 20),
    batch("BTCUSDT", 5, 6, "custom"), // another source's ids say nothing about binance's
    { mark: { source: "binance", symbol: "ETHUSDT", lastId: 19, at: 1, watermark: 1 } },
    { mark: { source: "binance", symbol: "BTCUSDT", lastId: 9, at: 1, watermark: 1 } },
    batch("SOLUSDT", 1, 2),
  ];
  const { kept, trimmed } = trimEntries(entries, last);
  assert.deepEqual(idsOf(kept), ["BTCUSDT 8,9", "BTCUSDT 5,6", "mark BTCUSDT@9", "SOLUSDT 1,2"]);
  assert.equal(trimmed, 3 + 3);
  assert.equal(trimEntries(kept, new LastIds()).kept[0], kept[0], "an untouched batch is passed on as it is");
});

test("property: a tail folded from any mix of own and read messages, checkpoints or not, holds every key's last id", () => {
  for (let seed = 1; seed <= 200; seed++) {
    const random = rng(seed);
    const symbols = ["AUSDT", "BUSDT", "CUSDT", "DUSDT", "EUSDT"];
    const next = new Map(symbols.map((s) => [s, 1]));
    const truth = new Map<string, number>();
    // The writer's view (its own acks) and a reader's (decoding every message) must agree with the truth.
    const writer = emptyTail();
    const reader = emptyTail();
    let seq = 0;
    for (let message = 0; message < 30; message++) {
      seq += 1 + Math.floor(random() * 3); // other subjects' messages take sequences in between
      const entries: OutEntry[] = [];
      for (const s of symbols) {
        if (random() < 0.5) continue;
        const n = 1 + Math.floor(random() * 4);
        entries.push(batch(s, next.get(s)!, next.get(s)! + n - 1));
        next.set(s, next.get(s)! + n);
        truth.set(s, next.get(s)! - 1);
      }
      if (entries.length === 0) continue;
      const checkpoint = random() < 0.2;
      const payload = encodePartitionMessage(entries, writer, checkpoint);
      advanceTailOwn(writer, seq, entries.map(entryLastId), checkpoint);
      advanceTail(reader, seq, decodePartitionMessage(payload));
      assert.equal(reader.checkpointSeq, writer.checkpointSeq, `seed ${seed}: checkpoint seq`);
      for (const s of symbols) {
        assert.equal(writer.lastIds.get("binance", s), truth.get(s), `seed ${seed}, message ${message}: the writer's last id of ${s}`);
        assert.equal(reader.lastIds.get("binance", s), truth.get(s), `seed ${seed}, message ${message}: the reader's last id of ${s}`);
      }
    }
  }
});
