import { test } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/runtime/clock.js";
import { DeltaTable } from "../../src/lake/table/table.js";
import { flushDelayMs, LakeWriter, type FlushResult } from "../../src/lake/writer/lake-writer.js";
import { bronzeTradesDefinition, bronzeTradesMapping } from "../../src/lake/tables/bronze-trades.js";
import { tradeFromLakeRow } from "../../src/contracts/trade.js";
import { LakeStorageError } from "../../src/lake/errors.js";
import type { Storage } from "../../src/lake/storage/types.js";
import { backoffDelay } from "../../src/lake/writer/backoff.js";
import { BACKENDS } from "./fixtures/backends.js";
import { loadRecordedTrades } from "./fixtures/trades.js";
import { openTradesLog } from "./fixtures/trades-log.js";
import { waitFor } from "../helpers/wait.js";
import { decodeTradeLogTrades } from "../../src/ingest/partition-log.js";
import { encodeLogMark, encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import { emptyTail, encodePartitionMessage } from "../../src/ingest/partition-log.js";

const trades = loadRecordedTrades().slice(0, 3000);

/** Disk has no "off switch": this wrapper makes writes fail like a full disk until healed. */
function failingWrites(inner: Storage): Storage & { fail: boolean } {
  const s = {
    fail: false,
    uri: inner.uri,
    get: (k: string) => inner.get(k),
    head: (k: string) => inner.head(k),
    list: (p: string, a?: string) => inner.list(p, a),
    delete: (k: string) => inner.delete(k),
    put: (k: string, b: Uint8Array) => (s.fail ? Promise.reject(new LakeStorageError(`ENOSPC writing ${k}`)) : inner.put(k, b)),
    putIfAbsent: (k: string, b: Uint8Array) => (s.fail ? Promise.reject(new LakeStorageError(`ENOSPC writing ${k}`)) : inner.putIfAbsent(k, b)),
  };
  return s;
}

test("backoff grows exponentially with jitter and is capped", () => {
  assert.equal(backoffDelay(0, 100, 5000, () => 0), 50);
  assert.equal(backoffDelay(0, 100, 5000, () => 1), 100);
  assert.equal(backoffDelay(3, 100, 5000, () => 1), 800);
  assert.equal(backoffDelay(20, 100, 5000, () => 1), 5000);
});

test("flushDelayMs: maxAgeMs for a few partitions, longer in proportion to the last flush's files, capped", () => {
  const o = { maxAgeMs: 2000, maxFilesPerFlush: 64, maxDelayMs: 60_000 };
  assert.equal(flushDelayMs(0, o), 2000);
  assert.equal(flushDelayMs(64, o), 2000);
  assert.equal(flushDelayMs(640, o), 20_000);
  assert.equal(flushDelayMs(1000, o), 31_250);
  assert.equal(flushDelayMs(5000, o), 60_000);
});

test("LakeWriter: many partitions per flush slow the next flush down (1,000 symbols must not write 1,000 files every 2 s)", async () => {
  await using fx = await BACKENDS[0]!.open();
  const clock = new ManualClock(1_000_000);
  const table = await DeltaTable.createIfAbsent(fx.storage, bronzeTradesDefinition, { now: () => clock.now() });
  const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bronze:wide", maxAgeMs: 2000, maxFilesPerFlush: 10, maxDelayMs: 60_000, clock });
  const spread = (from: number, symbols: number) =>
    trades.slice(from, from + symbols).map((t, i) => ({ ...t, symbol: `S${String(i).padStart(4, "0")}USDT` }));
  writer.add(spread(0, 200), 1);
  clock.advance(2000);
  assert.equal(writer.isDue(clock.now()), true, "the first flush knows nothing yet: due at maxAgeMs");
  assert.equal((await writer.flush())!.files, 200);

  writer.add(spread(200, 200), 2);
  clock.advance(2000);
  assert.equal(writer.isDue(clock.now()), false, "200 files last time: not due at maxAgeMs");
  assert.equal(writer.flushDelayMs, 40_000);
  clock.advance(37_999);
  assert.equal(writer.isDue(clock.now()), false);
  clock.advance(1);
  assert.equal(writer.isDue(clock.now()), true);
  assert.equal((await writer.flush())!.files, 200);

  writer.add(trades.slice(400, 410).map((t) => ({ ...t, symbol: "BTCUSDT" })), 3);
  clock.advance(40_000);
  assert.equal((await writer.flush())!.files, 1);
  writer.add(spread(410, 3), 4);
  clock.advance(2000);
  assert.equal(writer.isDue(clock.now()), true, "one file last time: back to maxAgeMs");
  await writer.flush();
  assert.equal((await new DeltaTable(fx.storage).read()).length, 413, "every row once");
});

test("LakeWriter: a commit of 3,000 partitions' files gives the event loop turns while it encodes them (it held the loop 1.3 to 2.6 s at 5,000 symbols)", async () => {
  await using fx = await BACKENDS[0]!.open();
  // The first file handed to storage schedules a marker for the loop's next turn.
  let turned: boolean | undefined;
  const puts = { before: 0, after: 0 };
  const put = (k: string, b: Uint8Array) => {
    if (turned === undefined) setImmediate(() => (turned = true));
    turned ??= false;
    if (turned) puts.after++;
    else puts.before++;
    return fx.storage.put(k, b);
  };
  const storage: Storage = { ...fx.storage, uri: fx.storage.uri, put };
  for (const m of ["get", "head", "list", "delete", "putIfAbsent"] as const) (storage as unknown as Record<string, unknown>)[m] = (fx.storage[m] as (...a: unknown[]) => unknown).bind(fx.storage);
  const table = await DeltaTable.createIfAbsent(storage, bronzeTradesDefinition);
  const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bronze:wide-turns" });
  writer.add(trades.map((t, i) => ({ ...t, symbol: `S${String(i).padStart(4, "0")}USDT` })), 1);
  assert.equal((await writer.flush())!.files, 3000);
  assert.equal(puts.before + puts.after, 3000);
  assert.ok(puts.before < 1000, `${puts.before} of 3,000 files encoded and handed to storage before the event loop's next turn`);
  assert.equal((await new DeltaTable(fx.storage).read()).length, 3000, "every row once");
});

for (const backend of BACKENDS) {
  test(`LakeWriter (${backend.name}): flushes on rows or age, records the txn, restarts where the table is`, async () => {
    await using fx = await backend.open();
    const clock = new ManualClock(1_000_000);
    const table = await DeltaTable.createIfAbsent(fx.storage, bronzeTradesDefinition, { now: () => clock.now() });
    const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bronze:test", maxRows: 1000, maxAgeMs: 2000, clock });
    assert.equal(await writer.lastCommittedSeq(), -1);
    writer.add(trades.slice(0, 10), 1);
    assert.equal(await writer.flushIfDue(), undefined, "young and small: not due");
    clock.advance(1999);
    assert.equal(writer.isDue(clock.now()), false);
    clock.advance(1);
    const first = await writer.flushIfDue();
    assert.deepEqual({ ...first, version: undefined }, { version: undefined, lastLogSeq: 1, rows: 10, files: 1 });
    writer.add(trades.slice(10, 600), 2);
    writer.add(trades.slice(600, 1200), 3);
    assert.equal(writer.isDue(clock.now()), true, "1190 rows ≥ maxRows");
    const second = (await writer.flushIfDue())!;
    assert.equal(second.lastLogSeq, 3);
    assert.throws(() => writer.add(trades.slice(0, 1), 3), RangeError);
    assert.equal(await writer.lastCommittedSeq(), 3);

    // A restarted writer (new object, same appId) sees the table's position and skips what it holds.
    const again = new LakeWriter({ table: new DeltaTable(fx.storage), mapping: bronzeTradesMapping, appId: "bronze:test", clock });
    assert.equal(await again.lastCommittedSeq(), 3);
    again.add(trades.slice(600, 1200), 3); // replayed by a consumer that did not skip
    again.add(trades.slice(1200, 1300), 4);
    const third = (await again.flush())!;
    assert.equal(third.rows, 100, "only the new batch is written");
    const rows = await new DeltaTable(fx.storage).read();
    assert.equal(rows.length, 1300);
    assert.deepEqual(rows.map(tradeFromLakeRow).sort((a, b) => a.tradeId - b.tradeId), trades.slice(0, 1300));
  });

  test(`LakeWriter (${backend.name}): a failing store keeps the buffer; the retry commits exactly once`, async () => {
    await using fx = await backend.open();
    const storage = failingWrites(fx.storage);
    const table = await DeltaTable.createIfAbsent(storage, bronzeTradesDefinition);
    const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bronze:fail" });
    writer.add(trades.slice(0, 500), 7);
    const outage = () => {
      if (fx.s3) fx.s3.setDown(true);
      else storage.fail = true;
    };
    const heal = () => {
      if (fx.s3) fx.s3.setDown(false);
      else storage.fail = false;
    };
    outage();
    await assert.rejects(writer.flush(), LakeStorageError);
    await assert.rejects(writer.flush(), LakeStorageError);
    assert.equal(writer.pendingRows, 500);
    heal();
    const r = (await writer.flush())!;
    assert.equal(r.rows, 500);
    assert.equal(writer.pendingRows, 0);
    assert.equal((await new DeltaTable(fx.storage).read()).length, 500);
  });
}

test("runLakeConsumer: S3 down mid-batch → backs off without acking; S3 back → commits and acks everything", async () => {
  const backend = BACKENDS.find((b) => b.name === "s3")!;
  await using fx = await backend.open();
  await using log = await openTradesLog();
  const { js, jsm } = log;
  for (let i = 0; i < 60; i++) {
    const chunk = trades.slice(i * 50, i * 50 + 50);
    await js.publish("md.trades.3.BTCUSDT", JSON.stringify(i % 2 ? chunk : chunk[0]));
  }
  const expectedRows = 30 * 50 + 30;
  const table = await DeltaTable.createIfAbsent(fx.storage, bronzeTradesDefinition);
  const clock = new ManualClock(Date.now());
  const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bronze:down", maxAgeMs: 1000, clock });
  const errors: unknown[] = [];
  const commits: FlushResult[] = [];
  log.consume("lake-down", writer, {
    clock,
    backoff: { initialMs: 20, maxMs: 200 },
    onError: (e) => errors.push(e),
    onCommit: (r) => commits.push(r),
  });
  // Everything is fetched and buffered (the manual clock has not made a flush due yet)...
  await waitFor(() => writer.lastAddedSeq === 60, { timeoutMs: 30_000, what: "all messages buffered" });
  // ...then the store goes down: time passes, flushes fail, the loop backs off, nothing is acked.
  fx.s3!.setDown(true);
  await waitFor(
    () => {
      clock.advance(250);
      return errors.length >= 3;
    },
    { timeoutMs: 30_000, what: "retries while S3 is down" },
  );
  assert.equal(commits.length, 0);
  const during = await jsm.consumers.info("TRADES", "lake-down");
  assert.equal(during.ack_floor.stream_seq, 0, "nothing acknowledged during the outage");
  assert.equal(during.num_ack_pending, 60);
  fx.s3!.setDown(false);
  await waitFor(
    async () => {
      clock.advance(250);
      return (await writer.lastCommittedSeq()) === 60;
    },
    { timeoutMs: 30_000, what: "commit after recovery" },
  );
  await waitFor(async () => (await jsm.consumers.info("TRADES", "lake-down")).ack_floor.stream_seq === 60, { what: "ack floor at 60" });
  const rows = await new DeltaTable(fx.storage).read();
  assert.equal(rows.length, expectedRows);
  assert.equal(new Set(rows.map((r) => r.trade_id)).size, expectedRows);
});

test("runLakeConsumer: an idle buffer is committed by the ticker; an undecodable message is rejected, not lost in silence", async () => {
  const backend = BACKENDS.find((b) => b.name === "disk")!;
  await using fx = await backend.open();
  await using log = await openTradesLog();
  const { js, jsm } = log;
  await js.publish("md.trades.1.BTCUSDT", JSON.stringify(trades.slice(0, 5)));
  await js.publish("md.trades.1.BTCUSDT", "{not json");
  await js.publish("md.trades.1.BTCUSDT", JSON.stringify(trades[5]));
  const table = await DeltaTable.createIfAbsent(fx.storage, bronzeTradesDefinition);
  const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bronze:idle", maxAgeMs: 200 });
  const rejected: number[] = [];
  log.consume("lake-idle", writer, { onReject: (seq) => rejected.push(seq) });
  // Three messages and then silence: only the idle ticker can make this commit happen.
  await waitFor(async () => (await writer.lastCommittedSeq()) === 3, { timeoutMs: 30_000, what: "idle commit" });
  assert.deepEqual(rejected, [2]);
  assert.equal((await new DeltaTable(fx.storage).read()).length, 6);
  await waitFor(async () => (await jsm.consumers.info("TRADES", "lake-idle")).ack_floor.stream_seq === 3, { what: "ack floor at 3" });
});

test("the bronze writer's decoding: a log of per-symbol and per-partition messages lands in bronze once per trade, marks giving none", async () => {
  const backend = BACKENDS.find((b) => b.name === "disk")!;
  await using fx = await backend.open();
  await using log = await openTradesLog();
  const { js } = log;
  const as = (symbol: string, from: number, to: number) => trades.slice(from, to).map((t) => ({ ...t, symbol }));
  await js.publish("md.trades.1.BTCUSDT", encodeTradeBatch(as("BTCUSDT", 0, 10)));
  await js.publish("md.trades.1.all", encodePartitionMessage([{ trades: as("BTCUSDT", 10, 25) }, { trades: as("ETHUSDT", 0, 7) }, { mark: { source: "binance", symbol: "SOLUSDT", lastId: 3, at: 1, watermark: 1 } }], emptyTail(), false));
  await js.publish("md.trades.1.ETHUSDT", encodeLogMark({ source: "binance", symbol: "ETHUSDT", lastId: trades[6]!.tradeId, at: 1, watermark: 1 }));
  await js.publish("md.trades.1.all", encodePartitionMessage([{ trades: as("ETHUSDT", 7, 9) }], emptyTail(), true));
  const table = await DeltaTable.createIfAbsent(fx.storage, bronzeTradesDefinition);
  const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bronze:layouts", maxAgeMs: 200 });
  const rejected: number[] = [];
  log.consume("lake-layouts", writer, { decode: decodeTradeLogTrades, onReject: (seq) => rejected.push(seq) });
  await waitFor(async () => (await writer.lastCommittedSeq()) === 4, { timeoutMs: 30_000, what: "the four messages committed" });
  assert.deepEqual(rejected, []);
  const rows = (await new DeltaTable(fx.storage).read()).map(tradeFromLakeRow);
  const key = (t: { symbol: string; tradeId: number }) => `${t.symbol}#${t.tradeId}`;
  assert.deepEqual(rows.map(key).sort(), [...as("BTCUSDT", 0, 25), ...as("ETHUSDT", 0, 9)].map(key).sort());
});
