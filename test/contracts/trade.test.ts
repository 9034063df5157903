/**
 * The Trade contract (src/contracts/trade.ts): its column list is the bronze table's, the raw
 * `trades` table's (migrated on a real PostgreSQL) and the log batch's; recorded Binance trades
 * pass it and survive every store unchanged; bad values are refused naming the field, and a batch
 * with one bad value is refused whole rather than decoded into a wrong trade.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TRADE_COLUMNS, TRADE_WIRE_COLUMNS, InvalidTradeMessage, parseTrade, tradeFromLakeRow, tradeLakeColumns, tradeSchema, type Trade } from "../../src/contracts/trade.js";
import { bronzeTradesDefinition, bronzeTradesMapping } from "../../src/lake/tables/bronze-trades.js";
import { decodeTradeBatch, encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import { TradeBatchDecodeError } from "../../src/ingest/errors.js";
import { insertTrades } from "../../src/db/trades.js";
import { migrate } from "../../src/db/migrate.js";
import { receiveTime } from "../../src/custom/time-bounds.js";
import { postgresBackend } from "../db/fixtures.js";
import { loadRecordedTrades } from "../lake/fixtures/trades.js";

const recorded = loadRecordedTrades();
const sample = recorded.slice(0, 500);

test("every Trade field has exactly one column entry, in the schema's order", () => {
  assert.deepEqual(TRADE_COLUMNS.map((c) => c.field), Object.keys(tradeSchema.shape));
});

test("the bronze table's columns are the contract's, with the trade date after the symbol", () => {
  const names = TRADE_COLUMNS.map((c) => c.lake.name);
  assert.deepEqual(bronzeTradesDefinition.columns.map((c) => c.name), [...names.slice(0, 2), "date", ...names.slice(2)]);
  assert.deepEqual(
    bronzeTradesDefinition.columns.filter((c) => c.name !== "date").map((c) => [c.name, c.type]),
    TRADE_COLUMNS.map((c) => [c.lake.name, c.lake.type]),
  );
  const batch = bronzeTradesMapping.toColumns(sample);
  assert.equal(batch.numRows, sample.length);
  assert.deepEqual([...batch.columns.keys()], TRADE_COLUMNS.filter((c) => !c.lake.partition).map((c) => c.lake.name));
});

test("a bronze row read back (longs as bigint, times as Dates) is the trade it was written from", () => {
  const cols = tradeLakeColumns(sample);
  for (const [i, t] of sample.entries()) {
    const row: Record<string, unknown> = { source: t.source, symbol: t.symbol, date: "2024-08-08" };
    for (const [name, values] of cols) {
      const v = values[i];
      row[name] = name.endsWith("_time") ? new Date(v as number) : v;
    }
    assert.equal(typeof row.trade_id, "bigint");
    assert.deepEqual(tradeFromLakeRow(row), t);
  }
});

test("the raw trades table has the contract's SQL columns, and recorded trades round-trip through it", async () => {
  await using db = await postgresBackend().open();
  await migrate(db);
  const { rows } = await db.query<{ column_name: string; data_type: string }>(
    "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'trades'",
  );
  const actual = new Map(rows.map((r) => [r.column_name, r.data_type]));
  const kept = TRADE_COLUMNS.filter((c) => c.sql !== null);
  assert.deepEqual([...actual.keys()].sort(), kept.map((c) => c.sql!.name).sort(), "the table has exactly the kept columns");
  for (const c of kept) assert.equal(actual.get(c.sql!.name), c.sql!.type, `column ${c.sql!.name}`);

  assert.equal(await insertTrades(db, sample), sample.length);
  assert.equal(await insertTrades(db, sample.slice(0, 10)), 0, "a trade id already there is kept, not doubled");
  const back = await db.query<Record<string, unknown>>("SELECT * FROM trades ORDER BY trade_id");
  assert.equal(back.rows.length, sample.length);
  for (const [i, r] of back.rows.entries()) {
    const t = sample[i]!;
    // pg returns bigint columns as strings: compare every value as text.
    for (const c of kept) assert.equal(String(r[c.sql!.name]), String(t[c.field]), `${c.sql!.name} of trade ${t.tradeId}`);
  }
});

test("recorded Binance trades pass the schema and round-trip through a log batch exactly", () => {
  for (const t of recorded) assert.deepEqual(parseTrade(t), t);
  const encoded = encodeTradeBatch(sample);
  assert.deepEqual(decodeTradeBatch(encoded), sample);
  // The encoder writes every per-trade column under the key the contract names.
  const wire = JSON.parse(new TextDecoder().decode(encoded)) as Record<string, unknown>;
  for (const c of TRADE_WIRE_COLUMNS) assert.equal((wire[c.wire] as unknown[] | undefined)?.length, sample.length, `column ${c.wire} (${c.field})`);
});

test("a bad trade is refused naming the field", () => {
  const t = recorded[0]!;
  const cases: [Partial<Record<keyof Trade, unknown>>, string][] = [
    [{ symbol: "btcusdt" }, "symbol"],
    [{ tradeId: 1.5 }, "tradeId"],
    [{ price: -1 }, "price"],
    [{ priceText: "12,5" }, "priceText"],
    [{ tradeTime: -1 }, "tradeTime"],
    [{ buyerIsMaker: "yes" }, "buyerIsMaker"],
  ];
  for (const [patch, field] of cases) {
    assert.throws(() => parseTrade({ ...t, ...patch }), (e: unknown) => e instanceof InvalidTradeMessage && e.message.startsWith(`${field}:`), field);
  }
});

test("a batch with one bad value in any column is refused whole, naming the column", () => {
  const wire = JSON.parse(new TextDecoder().decode(encodeTradeBatch(sample.slice(0, 5)))) as Record<string, unknown[]>;
  const badValue: Record<string, unknown> = { id: -3, p: 61000, q: null, T: 1.5, E: "1723161240000", i: -1, m: true };
  for (const c of TRADE_WIRE_COLUMNS) {
    const copy = structuredClone(wire);
    copy[c.wire]![3] = badValue[c.wire];
    assert.throws(
      () => decodeTradeBatch(JSON.stringify(copy)),
      (e: unknown) => e instanceof TradeBatchDecodeError && e.message.includes(`column ${c.wire} (${c.field})`) && e.message.includes("at 3"),
      c.wire,
    );
  }
  const copy = structuredClone(wire);
  copy.p![2] = "abc";
  assert.throws(() => decodeTradeBatch(JSON.stringify(copy)), (e: unknown) => e instanceof TradeBatchDecodeError && /price "abc"/.test(e.message));
});

test("a claimed receive time that is not whole, non-negative ms is not taken", () => {
  assert.equal(receiveTime("1723161240000.7", 1723161250000), 1723161240000);
  assert.equal(receiveTime("-5", 1723161250000), 1723161250000);
  assert.equal(receiveTime("1723161260000", 1723161250000), 1723161250000);
});
