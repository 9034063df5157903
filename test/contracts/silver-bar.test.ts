/**
 * The SilverBar contract (src/contracts/silver-bar.ts): the column lists the lake and the serving
 * database derive from it are the tables' real columns, a current message and every older shape
 * still in the log decode to the same row, and bad messages are refused naming the field.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  InvalidSilverMessage,
  SILVER_BAR_COLUMNS,
  parseSilverBar,
  silverRowFromBar,
  silverRowFromMessage,
  upgradeSilverMessage,
  type SilverBar,
} from "../../src/contracts/silver-bar.js";
import { silverBarsDefinition } from "../../src/lake/tables/silver-bars.js";
import { SILVER_BARS } from "../../src/db/serving/upsert.js";
import { migrate } from "../../src/db/migrate.js";
import { seededRandom } from "../../src/runtime/random.js";
import { postgresBackend } from "../db/fixtures.js";

function randomBar(rand: () => number, i: number): SilverBar {
  const windowStart = 1_700_000_000_000 + i * 10_000;
  const close = 100 + rand() * 10;
  const warm = rand() < 0.7;
  const predicted = rand() < 0.8;
  return {
    symbol: ["BTCUSDT", "ETHUSDT", "BNBUSDT"][i % 3]!,
    windowStart,
    windowEnd: windowStart + 30_000,
    open: close - 1,
    high: close + 2,
    low: close - 2,
    close,
    avgPrice: close - 0.5,
    vwap: close - 0.25,
    volume: rand() * 5,
    tradeCount: 1 + Math.floor(rand() * 100),
    volatility: rand(),
    firstTradeId: i * 1000,
    lastTradeId: i * 1000 + 99,
    firstTradeTime: windowStart + 5,
    lastTradeTime: windowStart + 29_000,
    closedByIngestTime: windowStart + 32_000 + Math.floor(rand() * 50),
    features: warm ? { volatility: rand(), lag_1: close - 1, lag_3: close - 2, ma_5: close, ma_10: close + 1, momentum: rand() - 0.5, volatility_change: rand() - 0.5 } : null,
    prediction: predicted ? close + rand() : null,
    modelVersion: predicted ? `v${i}` : "naive",
    emittedAt: windowStart + 32_100 + Math.floor(rand() * 50),
  };
}

test("every row field has one column entry; the lake and serving column lists are the contract's", () => {
  const rand = seededRandom(7);
  const fields = Object.keys(silverRowFromBar(randomBar(rand, 1))).sort();
  assert.deepEqual(SILVER_BAR_COLUMNS.map((c) => c.field).sort(), fields);
  assert.equal(new Set(SILVER_BAR_COLUMNS.map((c) => c.field)).size, SILVER_BAR_COLUMNS.length);

  // The lake table: the contract's columns, the date partition after symbol, log_seq last.
  const lake = silverBarsDefinition.columns.map((c) => `${c.name}:${c.type}:${c.nullable}`);
  const fromContract = SILVER_BAR_COLUMNS.map((c) => `${c.lake.name}:${c.lake.type}:${c.lake.nullable}`);
  assert.deepEqual(lake, [fromContract[0], "date:string:false", ...fromContract.slice(1), "log_seq:long:false"]);
  assert.deepEqual(silverBarsDefinition.partitionColumns, ["symbol", "date"]);

  assert.deepEqual(
    SILVER_BARS.columns.map((c) => [c.field, c.sql, c.type]),
    SILVER_BAR_COLUMNS.map((c) => [c.field, c.sql.name, c.sql.type]),
  );
});

test("the serving columns the contract names are the migrated PostgreSQL table's, with matching types", async () => {
  const backend = postgresBackend();
  await using db = await backend.open();
  await migrate(db);
  const { rows } = await db.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'silver_bars'",
  );
  const actual = new Map(rows.map((r) => [r.column_name, r.data_type]));
  for (const c of SILVER_BAR_COLUMNS) {
    assert.equal(actual.get(c.sql.name), c.sql.type, `serving column ${c.sql.name} (${c.field})`);
  }
});

test("a current message, and each older shape of it, decode to the row of the bar (random bars)", () => {
  const rand = seededRandom(42);
  for (let i = 0; i < 300; i++) {
    const bar = randomBar(rand, i);
    const row = silverRowFromBar(bar);
    const { symbol, windowStart, windowEnd, open, high, low, close, avgPrice, vwap, volume, tradeCount, volatility, closedByIngestTime } = bar;
    const barOnly = { symbol, windowStart, windowEnd, open, high, low, close, avgPrice, vwap, volume, tradeCount, volatility, closedByIngestTime };
    const shapes: [string, unknown][] = [
      ["current", bar],
      ["current, JSON round trip", JSON.parse(JSON.stringify(bar))],
      ["lower-case symbol", { ...bar, symbol: bar.symbol.toLowerCase() }],
      ["nested bar", { bar: barOnly, features: bar.features, prediction: bar.prediction, modelVersion: bar.modelVersion, emittedAt: bar.emittedAt }],
      ["serving names", { ...barOnly, features: bar.features, prediction: bar.prediction, predictionModelVersion: bar.modelVersion, closingIngestTime: bar.closedByIngestTime, emitTime: bar.emittedAt }],
      ["prediction object", { ...bar, prediction: bar.prediction === null ? null : { value: bar.prediction, modelVersion: bar.modelVersion } }],
    ];
    for (const [name, message] of shapes) {
      assert.deepEqual(silverRowFromMessage(message), row, `${name} #${i}`);
    }
    assert.deepEqual(parseSilverBar(JSON.parse(JSON.stringify(bar))), bar);
  }
});

test("old names win when they hold a value; null under an old name leaves the current one", () => {
  const bar = randomBar(seededRandom(3), 5);
  const upgraded = upgradeSilverMessage({ ...bar, emitTime: 111, closingIngestTime: 222, predictionModelVersion: "old" }) as Record<string, unknown>;
  assert.equal(upgraded.emittedAt, 111);
  assert.equal(upgraded.closedByIngestTime, 222);
  assert.equal(upgraded.modelVersion, "old");
  const kept = upgradeSilverMessage({ ...bar, emitTime: null, closingIngestTime: null, predictionModelVersion: null }) as Record<string, unknown>;
  assert.equal(kept.emittedAt, bar.emittedAt);
  assert.equal(kept.closedByIngestTime, bar.closedByIngestTime);
  assert.equal(kept.modelVersion, bar.modelVersion);
  // Nested: the bar's fields come from `bar`, the rest from beside it, whatever else each holds.
  const nested = upgradeSilverMessage({ bar: { ...bar, features: null, emittedAt: 1 }, open: -1, features: bar.features, emittedAt: bar.emittedAt }) as Record<string, unknown>;
  assert.equal(nested.open, bar.open);
  assert.deepEqual(nested.features, bar.features);
  assert.equal(nested.emittedAt, bar.emittedAt);
  // A message without the newer fields still has a row: they are null.
  const { closedByIngestTime: _c, emittedAt: _e, features: _f, prediction: _p, modelVersion: _m, ...bare } = bar;
  const row = silverRowFromMessage(bare);
  assert.equal(row.closingTradeIngestTime, null);
  assert.equal(row.emitTime, null);
  assert.equal(row.lag1, null);
  assert.equal(row.prediction, null);
  assert.equal(row.predictionModelVersion, null);
});

test("bad messages are refused naming the field", () => {
  const bar = randomBar(seededRandom(9), 2);
  const cases: [unknown, RegExp][] = [
    [{ ...bar, close: "100" }, /close/],
    [{ ...bar, windowEnd: undefined }, /windowEnd/],
    [{ ...bar, tradeCount: 1.5 }, /tradeCount/],
    [{ ...bar, features: { lag_1: "x" } }, /features\.lag_1/],
    [{ ...bar, prediction: { value: "x", modelVersion: "v" } }, /prediction/],
    [[bar], /root|expected object/i],
  ];
  for (const [message, re] of cases) {
    assert.throws(() => silverRowFromMessage(message), (err: unknown) => err instanceof InvalidSilverMessage && re.test(err.message), String(re));
  }
  assert.throws(() => parseSilverBar({ ...bar, emittedAt: undefined }), (err: unknown) => err instanceof InvalidSilverMessage && /emittedAt/.test(err.message));
});
