import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { migrate, openDatabase, readCandles1m, readSilverBars, runServingConsumer, ServingWriter, type ServingConsumerEvent } from "../../src/db/index.js";
import { startNatsWithStreams } from "../helpers/nats-streams.js";
import { waitFor } from "../helpers/wait.js";
import { postgresBackend } from "./fixtures.js";
import { startPrivatePostgres } from "./private-postgres.js";
import { barMessage, makeBar, makeCandle } from "./serving-rows.js";

const SYMBOLS = ["BTCUSDT", "ETHUSDT", "XRPUSDT"];
const SILVER = { name: "SILVER", subjects: ["silver.>"] };
const CANDLES = { name: "CANDLES", subjects: ["candles.>"] };

describe("runServingConsumer (JetStream → PostgreSQL)", () => {
  it("survives a PostgreSQL outage mid-replay: nothing acked until written, every bar exactly once afterwards", async () => {
    await using nats = await startNatsWithStreams([SILVER, CANDLES]);
    const { js, jsm } = nats;
    await using pgServer = await startPrivatePostgres();
    await using db = await openDatabase({ url: pgServer.url, maxConnections: 2, connectTimeoutMs: 1000 });
    await migrate(db);

    const publishBars = async (from: number, to: number) => {
      for (let i = from; i < to; i++) for (const s of SYMBOLS) await js.publish(`silver.${s}`, JSON.stringify(barMessage(makeBar(s, i))));
    };
    await publishBars(0, 200);
    for (let i = 0; i < 20; i++) await js.publish("candles.BTCUSDT", JSON.stringify(makeCandle("BTCUSDT", i)));
    await js.publish("silver.BTCUSDT", JSON.stringify({ symbol: "BTCUSDT", nonsense: true }));

    const events: ServingConsumerEvent[] = [];
    let outageStarted = false;
    const writer = new ServingWriter(db, { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0.2 } });
    const stop = new AbortController();
    const consumer = runServingConsumer(js, {
      writer,
      signal: stop.signal,
      batchSize: 40,
      async onEvent(e) {
        events.push(e);
        // Stop PostgreSQL right after the first silver batch lands: the replay is mid-way.
        if (e.type === "written" && e.source === "silver" && !outageStarted) {
          outageStarted = true;
          await pgServer.stop();
        }
      },
    });

    await waitFor(() => events.filter((e) => e.type === "write-failed").length >= 3, { timeoutMs: 30_000, what: "failed writes during the outage" });
    assert.equal(writer.status().state, "backing-off");
    const writtenBeforeOutage = events.filter((e) => e.type === "written" && e.source === "silver").length;
    assert.equal(writtenBeforeOutage, 1);
    await publishBars(200, 260); // more data arrives while the database is down: it waits in the log
    await pgServer.start();

    const total = 260 * SYMBOLS.length;
    await waitFor(
      async () => {
        const { rows } = await db.query<{ n: number }>("SELECT count(*) AS n FROM silver_bars");
        return rows[0]!.n === total;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${total} silver bars` },
    );
    // The candle loop may have hit the outage too and be waiting out its backoff: wait for it as well.
    await waitFor(async () => (await db.query<{ n: number }>("SELECT count(*) AS n FROM candles_1m")).rows[0]!.n === 20, { timeoutMs: 30_000, what: "20 candles" });
    for (const stream of ["SILVER", "CANDLES"]) {
      await waitFor(async () => (await jsm.consumers.info(stream, "serving")).num_ack_pending === 0, { timeoutMs: 30_000, what: `all ${stream} acked` });
    }
    stop.abort();
    await consumer;

    const { rows } = await db.query<{ n: number; keys: number }>("SELECT count(*) AS n, count(DISTINCT (symbol, window_end)) AS keys FROM silver_bars");
    assert.deepEqual(rows[0], { n: total, keys: total });
    for (const s of SYMBOLS) {
      assert.deepEqual(await readSilverBars(db, s, { limit: 10_000 }), Array.from({ length: 260 }, (_, i) => makeBar(s, i)));
    }
    assert.deepEqual(await readCandles1m(db, "BTCUSDT"), Array.from({ length: 20 }, (_, i) => makeCandle("BTCUSDT", i)));
    const silverInfo = await jsm.consumers.info("SILVER", "serving");
    assert.equal(silverInfo.num_pending, 0);
    assert.equal(silverInfo.num_ack_pending, 0);
    const rejected = events.filter((e) => e.type === "rejected");
    assert.equal(rejected.length, 1);
    assert.match(rejected[0]!.type === "rejected" ? rejected[0]!.reason : "", /windowStart/);
    assert.equal(writer.status().state, "healthy");
  });

  it("rejects only the row the database refuses and writes the rest of its batch", async () => {
    await using nats = await startNatsWithStreams([SILVER]);
    const { js, jsm } = nats;
    await using db = await postgresBackend().open();
    await migrate(db);
    for (let i = 0; i < 30; i++) {
      // Bar 17 decodes fine but its trade count overflows the integer column: the database refuses it.
      const row = makeBar("BTCUSDT", i, i === 17 ? { tradeCount: 3_000_000_000 } : {});
      await js.publish("silver.BTCUSDT", JSON.stringify(barMessage(row)));
    }
    const events: ServingConsumerEvent[] = [];
    const stop = new AbortController();
    const consumer = runServingConsumer(js, { writer: new ServingWriter(db), signal: stop.signal, batchSize: 30, sources: ["silver"], onEvent: (e) => void events.push(e) });
    await waitFor(() => events.some((e) => e.type === "rejected"), { timeoutMs: 20_000, what: "the bad row rejected" });
    await waitFor(async () => (await jsm.consumers.info("SILVER", "serving")).num_ack_pending === 0, { timeoutMs: 20_000, what: "all acked or terminated" });
    stop.abort();
    await consumer;
    const rejected = events.filter((e) => e.type === "rejected");
    assert.equal(rejected.length, 1);
    assert.match(rejected[0]!.type === "rejected" ? rejected[0]!.reason : "", /out of range/);
    const written = await readSilverBars(db, "BTCUSDT");
    assert.deepEqual(written.map((b) => b.windowEnd), Array.from({ length: 30 }, (_, i) => makeBar("BTCUSDT", i).windowEnd).filter((_, i) => i !== 17));
  });

  it("keeps consuming across a NATS server restart", async () => {
    await using nats = await startNatsWithStreams([SILVER], { maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const { js } = nats;
    await using db = await postgresBackend().open();
    await migrate(db);
    for (let i = 0; i < 150; i++) await js.publish("silver.ETHUSDT", JSON.stringify(barMessage(makeBar("ETHUSDT", i))));
    const events: ServingConsumerEvent[] = [];
    let restarted = false;
    const stop = new AbortController();
    const consumer = runServingConsumer(js, {
      writer: new ServingWriter(db),
      signal: stop.signal,
      batchSize: 20,
      sources: ["silver"],
      async onEvent(e) {
        events.push(e);
        if (e.type === "written" && !restarted) {
          restarted = true;
          await nats.server.kill();
          await nats.server.restart();
        }
      },
    });
    await waitFor(async () => (await db.query<{ n: number }>("SELECT count(*) AS n FROM silver_bars")).rows[0]!.n === 150, { timeoutMs: 60_000, intervalMs: 100, what: "150 bars" });
    stop.abort();
    await consumer;
    assert.ok(restarted);
    assert.deepEqual(await readSilverBars(db, "ETHUSDT"), Array.from({ length: 150 }, (_, i) => makeBar("ETHUSDT", i)));
  });
});
