import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, readdirSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SlidingWindowLimiter } from "../../src/ingest/rate-limiter.js";
import { backoffDelay } from "../../src/runtime/backoff.js";
import { defaultBackoff } from "../../src/ingest/backoff.js";
import { admit, aboveMark } from "../../src/ingest/dedup.js";
import { batchMsgId, decodeTradeBatch, decodeTradeBatchHeader, encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import { TradeBatchDecodeError } from "../../src/ingest/errors.js";
import { DiskSpool } from "../../src/ingest/spool.js";
import { chunk, combinedStreamUrl, symbolOfTradeStream, tradeStream } from "../../src/ingest/streams.js";
import { tradeLogSubject } from "../../src/ingest/publisher.js";
import { handleControl, parseStreamPath } from "../../src/simulator/protocol.js";
import { SyntheticSource, binanceDecimal } from "../../src/simulator/synthetic-source.js";
import { parseBinanceFrame } from "../../src/market/binance.js";
import { ManualClock } from "../../src/runtime/clock.js";
import type { Trade } from "../../src/market/trade.js";

test("sliding window limiter: 5 per second, never 6 in any 1 s window", () => {
  const clock = new ManualClock(1000);
  const l = new SlidingWindowLimiter(5, 1000);
  for (let i = 0; i < 5; i++) assert.equal(l.tryTake(clock.now()), true);
  assert.equal(l.tryTake(clock.now()), false);
  assert.equal(l.waitMs(clock.now()), 1000);
  clock.advance(999);
  assert.equal(l.tryTake(clock.now()), false);
  assert.equal(l.waitMs(clock.now()), 1);
  clock.advance(1);
  assert.equal(l.tryTake(clock.now()), true);
  assert.equal(l.used(clock.now()), 1);
  // A scheduler that waits waitMs each time sends at most 5 in every window.
  const sent: number[] = [];
  const l2 = new SlidingWindowLimiter(5, 1000);
  for (let i = 0; i < 23; i++) {
    clock.advance(l2.waitMs(clock.now()));
    assert.ok(l2.tryTake(clock.now()));
    sent.push(clock.now());
  }
  for (let i = 5; i < sent.length; i++) assert.ok(sent[i]! - sent[i - 5]! >= 1000, `window at ${i}`);
  assert.throws(() => new SlidingWindowLimiter(0, 1000), RangeError);
});

test("reconnect backoff: 500 ms doubling, capped at 30 s, up to half of it jitter", () => {
  assert.deepEqual([0, 1, 5, 6, 50].map((a) => backoffDelay(a, defaultBackoff, () => 0)), [500, 1000, 16_000, 30_000, 30_000]);
  assert.equal(backoffDelay(0, defaultBackoff, () => 0.999999), 250);
});

test("de-dup and gap rule per trade id", () => {
  assert.deepEqual(admit(undefined, 7), { kind: "accept", missing: 0 });
  assert.deepEqual(admit(7, 8), { kind: "accept", missing: 0 });
  assert.deepEqual(admit(7, 7), { kind: "duplicate" });
  assert.deepEqual(admit(7, 3), { kind: "duplicate" });
  assert.deepEqual(admit(7, 11), { kind: "accept", missing: 3 });
  const ts = [5, 6, 7, 8].map((tradeId) => ({ tradeId }));
  assert.deepEqual(aboveMark(ts, 6).map((t) => t.tradeId), [7, 8]);
  assert.equal(aboveMark(ts, 4), ts);
  assert.equal(aboveMark(ts, 8).length, 0);
});

function trade(id: number, over: Partial<Trade> = {}): Trade {
  return { source: "binance", symbol: "BTCUSDT", tradeId: id, price: 61837.63, quantity: 0.02, priceText: "61837.63000000", quantityText: "0.02000000", tradeTime: 1723161255342 + id, eventTime: 1723161255343 + id, ingestTime: 1723161255400 + id, buyerIsMaker: id % 2 === 0, ...over };
}

test("trade batch codec round-trips every field; header and msg id", () => {
  const trades = [trade(10), trade(11), trade(13, { priceText: "0.00001234", price: 0.00001234 })];
  const data = encodeTradeBatch(trades);
  assert.deepEqual(decodeTradeBatch(data), trades);
  assert.deepEqual(decodeTradeBatchHeader(data), { source: "binance", symbol: "BTCUSDT", firstId: 10, lastId: 13, count: 3 });
  assert.equal(batchMsgId("binance", "BTCUSDT", 10, 13), "binance:BTCUSDT:10-13");
  assert.throws(() => decodeTradeBatch("{}"), TradeBatchDecodeError);
  assert.throws(() => decodeTradeBatch("nope"), TradeBatchDecodeError);
  assert.throws(() => decodeTradeBatch('{"v":1,"source":"a","symbol":"B","firstId":1,"lastId":1,"id":[1],"p":[],"q":[],"T":[],"E":[],"i":[],"m":[]}'), TradeBatchDecodeError);
  assert.throws(() => encodeTradeBatch([]), TradeBatchDecodeError);
});

test("stream names, urls and subjects", () => {
  assert.equal(tradeStream("BTCUSDT"), "btcusdt@trade");
  assert.equal(symbolOfTradeStream("btcusdt@trade"), "BTCUSDT");
  assert.equal(symbolOfTradeStream("btcusdt@aggTrade"), null);
  assert.equal(combinedStreamUrl("ws://h:1/", ["a@trade", "b@trade"]), "ws://h:1/stream?streams=a@trade/b@trade");
  assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.match(tradeLogSubject("binance", "BTCUSDT", 32), /^md\.trades\.([0-9]|[12][0-9]|3[01])\.BTCUSDT$/);
  assert.equal(tradeLogSubject("binance", "BTCUSDT", 1), "md.trades.0.BTCUSDT");
});

test("disk spool: ordered read-back, ack deletes segments, survives reopen, cuts a torn record", () => {
  const dir = mkdtempSync(join(tmpdir(), "spool-test-"));
  try {
    const spool = DiskSpool.open(dir, { segmentBytes: 200, maxBytes: 600 });
    const rec = (i: number) => ({ header: { subject: "md.trades.1.X", msgId: `m${i}`, source: "s", symbol: "X", firstId: i, lastId: i }, payload: new TextEncoder().encode(`payload-${i}`) });
    for (let i = 1; i <= 8; i++) spool.append(rec(i));
    assert.ok(spool.segments > 1);
    assert.equal(spool.records, 8);
    assert.equal(spool.isFull, spool.bytes >= 600);
    const first = [1, 2, 3].map(() => spool.readNext()!);
    assert.deepEqual(first.map((r) => r.record.header.msgId), ["m1", "m2", "m3"]);
    for (const r of first) spool.ack(r.ticket);
    spool.close();

    // Reopen: unacked records (and maybe acked ones of a partly acked segment) come back in order.
    appendFileSync(join(dir, readdirSync(dir).sort().at(-1)!), Buffer.from([0, 0, 0, 50, 0])); // torn tail
    const again = DiskSpool.open(dir, { segmentBytes: 200 });
    assert.equal(again.lastIdAtOpen.get("s:X"), 8);
    const ids: number[] = [];
    for (let r = again.readNext(); r !== null; r = again.readNext()) {
      ids.push(r.record.header.firstId!);
      again.ack(r.ticket);
    }
    assert.deepEqual(ids.slice(-5), [4, 5, 6, 7, 8]);
    assert.ok(ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1));
    assert.equal(again.isEmpty, true);
    assert.equal(again.bytes, 0);
    assert.equal(readdirSync(dir).length, 0);
    again.append(rec(9));
    assert.equal(again.readNext()!.record.header.msgId, "m9");
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("disk spool rewind re-reads from the oldest unacked segment", () => {
  const dir = mkdtempSync(join(tmpdir(), "spool-test-"));
  try {
    const spool = DiskSpool.open(dir);
    for (let i = 1; i <= 3; i++) spool.append({ header: { subject: "x", msgId: `m${i}` }, payload: new Uint8Array([i]) });
    spool.readNext();
    spool.readNext();
    spool.rewind();
    assert.equal(spool.readNext()!.record.header.msgId, "m1");
    spool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("simulator protocol: paths and control messages answer like Binance", () => {
  assert.deepEqual(parseStreamPath("/stream?streams=btcusdt@trade/ethusdt@trade"), { combined: true, streams: ["btcusdt@trade", "ethusdt@trade"] });
  assert.deepEqual(parseStreamPath("/ws/btcusdt@trade"), { combined: false, streams: ["btcusdt@trade"] });
  assert.deepEqual(parseStreamPath("/ws"), { combined: false, streams: [] });
  assert.equal(parseStreamPath("/other"), null);
  const cur = new Set(["a@trade"]);
  assert.deepEqual(handleControl('{"method":"SUBSCRIBE","params":["b@trade"],"id":1}', cur, 1024), { kind: "subscribe", streams: ["b@trade"], reply: '{"result":null,"id":1}' });
  assert.deepEqual(handleControl('{"method":"UNSUBSCRIBE","params":["a@trade"],"id":312}', cur, 1024), { kind: "unsubscribe", streams: ["a@trade"], reply: '{"result":null,"id":312}' });
  assert.deepEqual(handleControl('{"method":"LIST_SUBSCRIPTIONS","id":3}', cur, 1024), { kind: "list", reply: '{"result":["a@trade"],"id":3}' });
  assert.equal(handleControl("{oops", cur, 1024).kind, "error");
  assert.match(handleControl('{"method":"SUBSCRIBE","params":["b@trade","c@trade"],"id":4}', cur, 2).reply, /"code":2/);
  assert.match(handleControl('{"method":"SUBSCRIBE","params":[1],"id":5}', cur, 9).reply, /"code":1/);
});

test("synthetic market: consecutive ids per symbol, Binance-shaped trades that our parser accepts, rate pacing", () => {
  const src = new SyntheticSource({ symbols: 12, tradesPerSecond: "max", totalTrades: 5000, seed: 1 });
  src.start(0);
  const lastId = new Map<string, number>();
  let n = 0;
  for (let b = src.next(1_700_000_000_000, 700); b !== "end"; b = src.next(1_700_000_000_000, 700)) {
    for (const ev of b.events) {
      const f = parseBinanceFrame(`{"stream":"${ev.stream}","data":${ev.data}}`, 0);
      assert.equal(f.kind, "trade", ev.data);
      if (f.kind !== "trade") continue;
      const prev = lastId.get(f.trade.symbol);
      if (prev !== undefined) assert.equal(f.trade.tradeId, prev + 1);
      lastId.set(f.trade.symbol, f.trade.tradeId);
      assert.match(f.trade.priceText, /^\d+\.\d{8}$/);
      n++;
    }
  }
  assert.equal(n, 5000);
  assert.equal(lastId.size, 12);
  const paced = new SyntheticSource({ symbols: ["BTCUSDT"], tradesPerSecond: 100 });
  paced.start(0);
  const got = paced.next(250, 1000);
  assert.ok(got !== "end" && got.events.length === 25);
  assert.equal(binanceDecimal(61837.63, 2), "61837.63000000");
});
