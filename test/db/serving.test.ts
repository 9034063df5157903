import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/runtime/clock.js";
import {
  DatabaseUnavailableError,
  migrate,
  readCandles1m,
  readSilverBars,
  ServingWriter,
  upsertCandles1m,
  upsertServingBatch,
  upsertSilverBars,
  type Database,
  type Queryable,
} from "../../src/db/index.js";
import { onEachBackend } from "./each-backend.js";
import { makeBar, makeCandle } from "./serving-rows.js";

/** The real database behind a switch: while `down`, every transaction fails as an outage would. */
function withOutageSwitch(db: Database): { db: Pick<Database, "transaction">; down: boolean } {
  const ctl = {
    down: false,
    db: {
      transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
        if (ctl.down) return Promise.reject(new DatabaseUnavailableError("database unavailable: connect ECONNREFUSED", { code: "ECONNREFUSED" }));
        return db.transaction(fn);
      },
    },
  };
  return ctl;
}

onEachBackend("serving tables", (backend) => {
  it("upserts silver bars and reads back exactly what was written", async () => {
    await using db = await backend.openMigrated();
    const bars = Array.from({ length: 25 }, (_, i) => makeBar("BTCUSDT", i));
    assert.equal(await upsertSilverBars(db, bars), 25);
    assert.deepEqual(await readSilverBars(db, "BTCUSDT"), bars);
    assert.deepEqual(await readSilverBars(db, "BTCUSDT", { limit: 3 }), bars.slice(-3));
    assert.deepEqual(await readSilverBars(db, "BTCUSDT", { from: bars[5]!.windowEnd, to: bars[8]!.windowEnd }), bars.slice(5, 8));
    assert.deepEqual(await readSilverBars(db, "ETHUSDT"), []);
  });

  it("makes replays harmless: the same key is updated, never duplicated", async () => {
    await using db = await backend.openMigrated();
    const bars = Array.from({ length: 12 }, (_, i) => makeBar("ETHUSDT", i));
    await upsertSilverBars(db, bars);
    await upsertSilverBars(db, bars);
    const changed = makeBar("ETHUSDT", 11, { prediction: 123.5, predictionModelVersion: "ETHUSDT/v2" });
    await upsertSilverBars(db, [bars[10]!, changed]);
    const { rows } = await db.query<{ n: number; distinct_keys: number }>("SELECT count(*) AS n, count(DISTINCT (symbol, window_end)) AS distinct_keys FROM silver_bars");
    assert.deepEqual(rows[0], { n: 12, distinct_keys: 12 });
    assert.deepEqual((await readSilverBars(db, "ETHUSDT")).at(-1), changed);
  });

  it("keeps the last row when one batch holds the same key twice", async () => {
    await using db = await backend.openMigrated();
    const first = makeCandle("XRPUSDT", 0);
    const again = makeCandle("XRPUSDT", 0, { close: 51.5, high: 52 });
    assert.equal(await upsertCandles1m(db, [first, makeCandle("XRPUSDT", 1), again]), 2);
    assert.deepEqual(await readCandles1m(db, "XRPUSDT"), [again, makeCandle("XRPUSDT", 1)]);
  });

  it("writes a batch of bars and candles whole or not at all", async () => {
    await using db = await backend.openMigrated();
    const badCandle = makeCandle("BTCUSDT", 3, { openTime: 1_700_000_040_001 }); // not a whole minute: CHECK fails
    await assert.rejects(upsertServingBatch(db, { bars: [makeBar("BTCUSDT", 0)], candles: [makeCandle("BTCUSDT", 1), badCandle] }));
    assert.deepEqual(await readSilverBars(db, "BTCUSDT"), []);
    assert.deepEqual(await readCandles1m(db, "BTCUSDT"), []);
  });

  it("ServingWriter backs off during an outage, then catches up with every row exactly once", async () => {
    await using db = await backend.openMigrated();
    const clock = new ManualClock(1_000_000);
    const ctl = withOutageSwitch(db);
    const writer = new ServingWriter(ctl.db, { clock, backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } });
    const batches = [0, 1, 2].map((b) => ({ bars: Array.from({ length: 10 }, (_, i) => makeBar("SOLUSDT", b * 10 + i)), candles: [makeCandle("SOLUSDT", b)] }));

    assert.deepEqual(await writer.write(batches[0]!), { type: "written", rows: 11 });
    ctl.down = true;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const outcome = await writer.write(batches[1]!);
      assert.equal(outcome.type, "failed");
      assert.ok(outcome.type === "failed" && outcome.retryable && outcome.consecutiveFailures === attempt);
      delays.push(writer.delayBeforeNextAttempt());
      clock.advance(writer.delayBeforeNextAttempt());
    }
    assert.deepEqual(delays, [100, 200, 400, 800, 1000]);
    assert.equal(writer.status().state, "backing-off");
    ctl.down = false;
    assert.deepEqual(await writer.write(batches[1]!), { type: "written", rows: 11 });
    assert.deepEqual(await writer.write(batches[0]!), { type: "written", rows: 11 }); // a redelivered batch
    assert.deepEqual(await writer.write(batches[2]!), { type: "written", rows: 11 });
    const status = writer.status();
    assert.equal(status.state, "healthy");
    assert.equal(writer.delayBeforeNextAttempt(), 0);
    assert.equal(status.failedAttempts, 5);
    const expected = batches.flatMap((b) => b.bars);
    assert.deepEqual(await readSilverBars(db, "SOLUSDT"), expected);
    assert.deepEqual(await readCandles1m(db, "SOLUSDT"), batches.map((b) => b.candles[0]));
  });

  it("ServingWriter reports a row the database refuses as not retryable", async () => {
    await using db = await backend.openMigrated();
    const writer = new ServingWriter(db, { clock: new ManualClock(0) });
    const outcome = await writer.write({ bars: [makeBar("BTCUSDT", 1, { windowStart: 1_800_000_000_000 })], candles: [] }); // start after end: CHECK
    assert.equal(outcome.type, "failed");
    assert.ok(outcome.type === "failed" && !outcome.retryable && outcome.error.code === "23514");
    assert.equal(writer.status().state, "healthy");
  });

  it("ServingWriter retries (never rejects data) when the failure is not about the data, e.g. tables not migrated yet", async () => {
    await using db = await backend.open();
    const writer = new ServingWriter(db, { clock: new ManualClock(0), backoff: { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 } });
    const batch = { bars: [makeBar("BTCUSDT", 1)], candles: [] };
    const outcome = await writer.write(batch);
    assert.ok(outcome.type === "failed" && outcome.retryable && outcome.error.code === "42P01" && outcome.retryAt === 100);
    await migrate(db);
    assert.deepEqual(await writer.write(batch), { type: "written", rows: 1 });
  });
});

describe("ServingWriter backoff", () => {
  it("rejects invalid policies by name", () => {
    assert.throws(() => new ServingWriter({ transaction: async () => undefined as never }, { backoff: { initialMs: 0, maxMs: 1, factor: 2, jitter: 0 } }), /backoff.initialMs/);
    assert.throws(() => new ServingWriter({ transaction: async () => undefined as never }, { backoff: { initialMs: 10, maxMs: 100, factor: 2, jitter: 1 } }), /backoff.jitter/);
  });
});
