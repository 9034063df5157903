import { it } from "node:test";
import assert from "node:assert/strict";
import { dataTestHistory, insertTrades, listTransformRuns, runTransform, transformRunDetails, upsertCandles1m, upsertSilverBars } from "../../src/db/index.js";
import { type Candle1mRow } from "../../src/contracts/candle.js";
import { ManualClock } from "../../src/runtime/clock.js";
import { onEachBackend } from "./each-backend.js";
import { loadFreqtrade1m, loadFreqtradeTrades, XRPETH, type Kline } from "./freqtrade.js";
import { makeBar } from "./serving-rows.js";

interface OhlcvRow {
  symbol: string;
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trade_count: number;
  origin?: string;
  minutes?: number;
}

const HOUR = 3_600_000;

/** Hourly candles from Binance's 1m candles, skipping empty minutes (volume 0: OHLC there is only the previous close carried forward). */
function hourlyFromMinutes(klines: Kline[]): [number, number, number, number, number, number][] {
  const byHour = new Map<number, Kline[]>();
  for (const k of klines) {
    if (k[5] === 0) continue;
    const h = Math.floor(k[0] / HOUR) * HOUR;
    byHour.set(h, [...(byHour.get(h) ?? []), k]);
  }
  return [...byHour.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([h, ks]) => [h, ks[0]![1], Math.max(...ks.map((k) => k[2])), Math.min(...ks.map((k) => k[3])), ks.at(-1)![4], ks.reduce((s, k) => s + k[5], 0)]);
}

async function ohlcv(db: { query: <T extends object>(sql: string, p?: unknown[]) => Promise<{ rows: T[] }> }, table: string, symbol: string): Promise<OhlcvRow[]> {
  return (await db.query<OhlcvRow>(`SELECT * FROM ${table} WHERE symbol = $1 ORDER BY open_time`, [symbol])).rows;
}

function candle(symbol: string, openTime: number, o: number, h: number, l: number, c: number, volume: number, tradeCount: number): Candle1mRow {
  return { symbol, openTime, open: o, high: h, low: l, close: c, volume, tradeCount, quoteVolume: volume * c };
}

onEachBackend("gold models", (backend) => {
  it("1m OHLCV from Binance trades equals Binance's own 1m candles for every traded minute; 1h rolls them up", async () => {
    await using db = await backend.openMigrated();
    const trades = loadFreqtradeTrades();
    const klines = loadFreqtrade1m();
    // Load in two parts with an incremental run between: the result must equal a single full build.
    const cut = 6000;
    assert.equal(await insertTrades(db, trades.slice(0, cut)), cut);
    const first = await runTransform(db);
    assert.equal(first.models.find((m) => m.model === "ohlcv_1m")?.status, "success");
    assert.equal(await insertTrades(db, trades.slice(cut - 100)), trades.length - cut); // overlap: already-loaded trades are skipped
    const second = await runTransform(db);
    assert.deepEqual(second.models.map((m) => m.status), second.models.map(() => "success"));

    const minutes = await ohlcv(db, "ohlcv_1m", XRPETH);
    const traded = klines.filter((k) => k[5] > 0);
    assert.equal(traded.length, 2469);
    assert.deepEqual(
      minutes.map((m) => [m.open_time, m.open, m.high, m.low, m.close, m.volume]),
      traded,
    );
    assert.ok(minutes.every((m) => m.origin === "trades"));
    assert.equal(minutes.reduce((s, m) => s + m.trade_count, 0), trades.length);

    const hours = await ohlcv(db, "ohlcv_1h", XRPETH);
    const expected = hourlyFromMinutes(klines);
    assert.equal(hours.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      const [t, o, h, l, c, v] = expected[i]!;
      const got = hours[i]!;
      assert.deepEqual([got.open_time, got.open, got.high, got.low, got.close], [t, o, h, l, c], `hour ${new Date(t).toISOString()}`);
      assert.ok(Math.abs(got.volume - v) <= 1e-9 * v, `volume of hour ${new Date(t).toISOString()}: ${got.volume} vs ${v}`);
    }

    const full = await runTransform(db, { fullRefresh: true });
    assert.equal(full.status, "success");
    assert.deepEqual(await ohlcv(db, "ohlcv_1h", XRPETH), hours);
  });

  it("1m OHLCV uses live candles where no trades were loaded, trades where they were; 1h and daily roll up only traded minutes", async () => {
    await using db = await backend.openMigrated();
    const day = Date.UTC(2024, 7, 8);
    const t = (h: number, m: number) => day + h * HOUR + m * 60_000;
    await upsertCandles1m(db, [
      candle("ETHUSDT", t(0, 0), 10, 12, 9, 11, 5, 3),
      candle("ETHUSDT", t(0, 1), 11, 11, 11, 11, 0, 0), // empty minute: must not count
      candle("ETHUSDT", t(0, 2), 12, 15, 8, 13, 2, 4),
      candle("ETHUSDT", t(0, 59), 13, 14, 12.5, 13.5, 1, 1),
      candle("ETHUSDT", t(1, 30), 100, 101, 99, 100.5, 7, 7), // replaced by trades below
      candle("ETHUSDT", t(25, 0), 20, 21, 19, 20, 1, 1), // next day
    ]);
    const trade = (id: number, time: number, price: number, quantity: number) => ({
      source: "binance", symbol: "ETHUSDT", tradeId: id, price, quantity, priceText: String(price), quantityText: String(quantity), tradeTime: time, eventTime: time, ingestTime: time, buyerIsMaker: false,
    });
    await insertTrades(db, [trade(1, t(1, 30) + 5_000, 14, 1), trade(2, t(1, 30) + 5_000, 16, 2), trade(3, t(1, 30) + 59_999, 15, 0.5), trade(4, t(1, 30) + 1_000, 14.5, 1)]);
    await upsertSilverBars(db, [makeBar("ETHUSDT", 0, { windowStart: t(0, 0), windowEnd: t(0, 0) + 30_000, volatility: 0.5 }), makeBar("ETHUSDT", 1, { windowStart: t(3, 0), windowEnd: t(3, 0) + 30_000, volatility: 1.5 })]);
    const report = await runTransform(db);
    assert.deepEqual(report.models.map((m) => m.status), report.models.map(() => "success"));

    const minutes = await ohlcv(db, "ohlcv_1m", "ETHUSDT");
    assert.deepEqual(
      minutes.map((m) => [m.open_time, m.open, m.high, m.low, m.close, m.volume, m.trade_count, m.origin]),
      [
        [t(0, 0), 10, 12, 9, 11, 5, 3, "live"],
        [t(0, 2), 12, 15, 8, 13, 2, 4, "live"],
        [t(0, 59), 13, 14, 12.5, 13.5, 1, 1, "live"],
        [t(1, 30), 14.5, 16, 14, 15, 4.5, 4, "trades"], // open: earliest trade (id 4); at equal times, the lower id first
        [t(25, 0), 20, 21, 19, 20, 1, 1, "live"],
      ],
    );
    const hours = await ohlcv(db, "ohlcv_1h", "ETHUSDT");
    assert.deepEqual(
      hours.map((h) => [h.open_time, h.open, h.high, h.low, h.close, h.volume, h.trade_count, h.minutes]),
      [
        [t(0, 0), 10, 15, 8, 13.5, 8, 8, 3],
        [t(1, 0), 14.5, 16, 14, 15, 4.5, 4, 1],
        [t(25, 0), 20, 21, 19, 20, 1, 1, 1],
      ],
    );
    const daily = (await db.query<Record<string, unknown>>("SELECT symbol, day, open, high, low, close, volume, trades, avg_volatility, bars FROM market_summary_daily ORDER BY day")).rows;
    assert.deepEqual(daily, [
      { symbol: "ETHUSDT", day: "2024-08-08", open: 10, high: 16, low: 8, close: 15, volume: 12.5, trades: 12, avg_volatility: 1, bars: 2 },
      { symbol: "ETHUSDT", day: "2024-08-09", open: 20, high: 21, low: 19, close: 20, volume: 1, trades: 1, avg_volatility: null, bars: 0 },
    ]);
  });

  it("model performance: realised RMSE/MAE vs the next bar's close, the naive forecast, skill and direction", async () => {
    await using db = await backend.openMigrated();
    const bar = (symbol: string, i: number, close: number, prediction: number | null, version: string | null) =>
      makeBar(symbol, i, { close, open: close, high: close + 1, low: close - 1, prediction, predictionModelVersion: version });
    await upsertSilverBars(db, [
      bar("BTCUSDT", 0, 10, 10.5, "BTCUSDT/v1"), // next 11: error -0.5, naive -1, direction up/up ✓
      bar("BTCUSDT", 1, 11, 11.5, "BTCUSDT/v1"), // next 10: error 1.5, naive 1, up/down ✗
      bar("BTCUSDT", 2, 10, 10, "BTCUSDT/v1"), // next 12: error -2, naive -2, flat/up ✗
      bar("BTCUSDT", 3, 12, 12.5, "BTCUSDT/v2"), // next 12: error 0.5, naive 0, no move: not in direction
      bar("BTCUSDT", 4, 12, null, null), // no prediction: only the "next" of bar 3
      bar("BTCUSDT", 5, 13, 99, "BTCUSDT/v2"), // no next bar yet: not scored
      bar("ETHUSDT", 0, 100, 101, "ETHUSDT/v1"), // next 102: error -1, naive -2, up/up ✓
      bar("ETHUSDT", 1, 102, 101, "ETHUSDT/v1"), // next 101: error 0, naive 1, down/down ✓
      bar("ETHUSDT", 2, 101, null, null),
    ]);
    const report = await runTransform(db);
    assert.equal(report.status, "success", JSON.stringify(report.tests.filter((t) => t.status !== "pass")));
    const rows = (await db.query<Record<string, number | string | null>>(
      "SELECT symbol, model_version, predictions, rmse, mae, rmse_naive, mae_naive, skill, directional_accuracy, moves, first_window_end, last_window_end FROM model_performance ORDER BY symbol, model_version",
    )).rows;
    const close = (a: unknown, b: number) => typeof a === "number" && Math.abs(a - b) < 1e-12;
    assert.equal(rows.length, 3);
    const [v1, v2, eth] = rows as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];
    assert.deepEqual([v1.symbol, v1.model_version, v1.predictions, v1.moves], ["BTCUSDT", "BTCUSDT/v1", 3, 3]);
    assert.ok(close(v1.rmse, Math.sqrt(6.5 / 3)) && close(v1.mae, 4 / 3), JSON.stringify(v1));
    assert.ok(close(v1.rmse_naive, Math.sqrt(2)) && close(v1.mae_naive, 4 / 3), JSON.stringify(v1));
    assert.ok(close(v1.skill, 1 - Math.sqrt(6.5 / 3) / Math.sqrt(2)), JSON.stringify(v1));
    assert.ok(close(v1.directional_accuracy, 1 / 3), JSON.stringify(v1));
    assert.deepEqual([v1.first_window_end, v1.last_window_end], [makeBar("BTCUSDT", 0).windowEnd, makeBar("BTCUSDT", 2).windowEnd]);
    assert.deepEqual([v2.model_version, v2.predictions, v2.rmse, v2.mae, v2.rmse_naive, v2.skill, v2.directional_accuracy, v2.moves], ["BTCUSDT/v2", 1, 0.5, 0.5, 0, null, null, 0]);
    assert.deepEqual([eth.model_version, eth.predictions, eth.moves, eth.directional_accuracy], ["ETHUSDT/v1", 2, 2, 1]);
    assert.ok(close(eth.rmse, Math.sqrt(0.5)) && close(eth.mae, 0.5) && close(eth.rmse_naive, Math.sqrt(2.5)) && close(eth.skill, 1 - Math.sqrt(0.5) / Math.sqrt(2.5)));
  });

  it("data tests fail when they should: a planted null, duplicate, out-of-range value and a stale table; results are kept per run", async () => {
    await using db = await backend.openMigrated();
    await insertTrades(db, loadFreqtradeTrades().slice(0, 2000));
    const newest = (await db.query<{ t: number }>("SELECT max(trade_time) AS t FROM trades")).rows[0]!.t;
    const fresh = new ManualClock(newest + 60_000);
    const clean = await runTransform(db, { clock: fresh });
    assert.equal(clean.status, "success");
    const notPassing = (r: typeof clean) => r.tests.filter((t) => t.status !== "pass").map((t) => `${t.model}:${t.name}:${t.status}`);
    assert.deepEqual(notPassing(clean), []);

    // Plant one problem of each kind in ohlcv_1m, then test without rebuilding.
    const minute = (await db.query<{ open_time: number }>("SELECT open_time FROM ohlcv_1m ORDER BY open_time LIMIT 3")).rows.map((r) => r.open_time);
    await db.query("UPDATE ohlcv_1m SET close = NULL WHERE open_time = $1", [minute[0]]);
    await db.query("UPDATE ohlcv_1m SET volume = -5 WHERE open_time = $1", [minute[1]]);
    await db.exec("DROP INDEX ohlcv_1m__key");
    await db.query("INSERT INTO ohlcv_1m SELECT * FROM ohlcv_1m WHERE open_time = $1", [minute[2]]);
    const stale = new ManualClock(newest + 3 * HOUR);
    const dirty = await runTransform(db, { build: false, clock: stale, select: ["ohlcv_1m"] });
    assert.equal(dirty.status, "failed");
    const failing = dirty.tests.filter((t) => t.status === "fail");
    // The NULL close does not trip the OHLC expression test: like dbt, a condition that is NULL passes; not_null catches it.
    assert.deepEqual(
      failing.filter((t) => t.model === "ohlcv_1m").map((t) => [t.name, t.failures]).sort(),
      [
        ["accepted_range(volume)", 1],
        ["freshness(open_time)", 1],
        ["not_null(close)", 1],
        ["unique(symbol,open_time)", 1],
      ].sort(),
    );
    assert.match(failing.find((t) => t.kind === "freshness")!.message!, /3\.0 h old/);
    // Freshness is a warning: alone it would not fail the run; the others are errors.
    assert.equal(failing.find((t) => t.kind === "freshness")!.severity, "warn");

    const history = (await db.query<{ run_id: string; status: string; failures: number }>(
      "SELECT run_id, status, failures FROM gold_test_results WHERE model = 'ohlcv_1m' AND test_name = 'not_null(close)' ORDER BY tested_at, run_id",
    )).rows;
    assert.deepEqual(history.map((h) => [h.run_id, h.status, h.failures]).sort(), [[clean.runId, "pass", 0], [dirty.runId, "fail", 1]].sort());
    const runs = (await db.query<{ run_id: string; status: string; tests_failed: number }>("SELECT run_id, status, tests_failed FROM gold_runs ORDER BY started_at")).rows;
    assert.deepEqual(runs.map((r) => r.status).sort(), ["failed", "success"]);
    assert.equal(runs.find((r) => r.run_id === dirty.runId)!.tests_failed, dirty.tests.filter((t) => t.status === "fail" || t.status === "error").length);

    const listed = await listTransformRuns(db);
    assert.deepEqual(listed.map((r) => r.runId).sort(), [clean.runId, dirty.runId].sort());
    const details = await transformRunDetails(db, dirty.runId);
    assert.deepEqual(details.tests.filter((t) => t.model === "ohlcv_1m" && t.status === "fail").map((t) => t.name).sort(), failing.filter((t) => t.model === "ohlcv_1m").map((t) => t.name).sort());
    assert.deepEqual(details.models.find((x) => x.model === "ohlcv_1m")?.status, "skipped");
    const hist = await dataTestHistory(db, "ohlcv_1m", "unique(symbol,open_time)");
    assert.deepEqual(hist.map((h) => h.status).sort(), ["fail", "pass"]);

    // A rebuild from the trades repairs the table; only a stale clock still fails freshness (a warning).
    const repaired = await runTransform(db, { fullRefresh: true, clock: stale });
    assert.equal(repaired.status, "success");
    assert.deepEqual(notPassing(repaired), ["ohlcv_1m:freshness(open_time):fail", "ohlcv_1h:freshness(open_time):fail"]);
  });
});
