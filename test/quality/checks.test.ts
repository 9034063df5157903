/**
 * Each check catches a planted defect, and passes the clean recordings (BTCUSDT trade stream,
 * XRP/ETH aggregate trades, and the silver bars the SymbolActor makes of them).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_QUALITY_OPTIONS, overallStatus, parseRangeRules, runChecks, type CheckResult, type QualityOptions } from "../../src/quality/index.js";
import type { SilverTableRow } from "../../src/lake/tables/silver-bars.js";
import type { Trade } from "../../src/market/trade.js";
import { btcTrades, silverBarsOf, xrpEthTrades } from "./fixtures.js";

const BTC = btcTrades();
const XRP = xrpEthTrades();
const BTC_BARS = silverBarsOf("BTCUSDT", BTC);
const XRP_BARS = silverBarsOf("XRPETH", XRP);
const O: QualityOptions = DEFAULT_QUALITY_OPTIONS;
const lastTime = (ts: readonly Trade[]) => Math.max(...ts.map((t) => t.tradeTime));

function result(results: CheckResult[], check: string, table: string): CheckResult {
  const r = results.find((x) => x.name === check && x.table === table);
  assert.ok(r, `no ${check} result on ${table}`);
  return r;
}

test("the clean recordings pass every check", () => {
  assert.ok(BTC_BARS.length > 50 && XRP_BARS.length > 1000, `bars: ${BTC_BARS.length} BTC, ${XRP_BARS.length} XRP`);
  for (const [symbol, trades, bars] of [["BTCUSDT", BTC, BTC_BARS], ["XRPETH", XRP, XRP_BARS]] as const) {
    const now = lastTime(trades) + 1_000;
    const results = runChecks({ trades, bars, subscribed: [symbol] }, O, now);
    assert.equal(results.length, 9);
    for (const r of results) assert.equal(r.status, "PASSED", `${symbol} ${r.name}/${r.table}: ${r.samples.map((s) => s.detail).join("; ")}`);
    assert.equal(overallStatus(results), "PASSED");
    assert.equal(result(results, "price", "bronze_trades").checked, trades.length);
  }
});

// Each row: a defect planted in a copy of the clean data, and what must catch it.
type Plant = { name: string; trades?: (t: Trade[]) => void; bars?: (b: SilverTableRow[]) => void; check: string; table: string; status: "FAILED" | "WARN"; rule: string; failed: number };
const ROWS: Plant[] = [
  { name: "zero trade price", trades: (t) => void (t[100]!.price = 0), check: "price", table: "bronze_trades", status: "FAILED", rule: "price_not_positive", failed: 1 },
  { name: "negative trade price", trades: (t) => void (t[7]!.price = -5), check: "price", table: "bronze_trades", status: "FAILED", rule: "price_not_positive", failed: 1 },
  { name: "NaN trade price", trades: (t) => void (t[8]!.price = NaN), check: "price", table: "bronze_trades", status: "FAILED", rule: "price_not_finite", failed: 1 },
  { name: "trade in the future", trades: (t) => void (t[9]!.tradeTime += 3_600_000), check: "timestamps", table: "bronze_trades", status: "FAILED", rule: "future_timestamp", failed: 1 },
  { name: "event time before listing", trades: (t) => void (t[10]!.eventTime = Date.parse("2015-01-01")), check: "timestamps", table: "bronze_trades", status: "FAILED", rule: "before_listing", failed: 1 },
  { name: "duplicate trade id", trades: (t) => void t.splice(50, 0, { ...t[40]! }, { ...t[41]! }), check: "duplicates", table: "bronze_trades", status: "FAILED", rule: "duplicate_trade_id", failed: 2 },
  { name: "gap in trade ids", trades: (t) => void t.splice(200, 3), check: "gaps", table: "bronze_trades", status: "WARN", rule: "trade_id_gap", failed: 3 },
  { name: "zero bar close", bars: (b) => void (b[20]!.close = 0), check: "price", table: "silver_bars", status: "FAILED", rule: "price_not_positive", failed: 1 },
  { name: "infinite vwap", bars: (b) => void (b[21]!.vwap = Infinity), check: "price", table: "silver_bars", status: "FAILED", rule: "price_not_finite", failed: 1 },
  { name: "high below low", bars: (b) => void (b[22]!.high = b[22]!.low - 1), check: "price", table: "silver_bars", status: "FAILED", rule: "ohlc_inconsistent", failed: 1 },
  { name: "missing features after warm-up", bars: (b) => void Object.assign(b[30]!, { lag1: null, lag3: null, ma5: null, ma10: null, momentum: null, volatilityChange: null }), check: "features", table: "silver_bars", status: "FAILED", rule: "missing_feature", failed: 1 },
  { name: "one missing feature", bars: (b) => void (b[31]!.ma10 = null), check: "features", table: "silver_bars", status: "FAILED", rule: "missing_feature", failed: 1 },
  { name: "NaN volatility", bars: (b) => void (b[32]!.volatility = NaN), check: "features", table: "silver_bars", status: "FAILED", rule: "feature_not_finite", failed: 1 },
  { name: "bar in the future", bars: (b) => void (b[33]!.windowEnd += 86_400_000), check: "timestamps", table: "silver_bars", status: "FAILED", rule: "future_timestamp", failed: 1 },
  { name: "broken window", bars: (b) => void (b[34]!.windowStart = b[34]!.windowEnd), check: "timestamps", table: "silver_bars", status: "FAILED", rule: "broken_timestamp", failed: 1 },
  { name: "duplicate bar", bars: (b) => void b.push({ ...b[35]!, logSeq: 9_999 }), check: "duplicates", table: "silver_bars", status: "FAILED", rule: "duplicate_bar", failed: 1 },
];

for (const row of ROWS) {
  test(`planted defect: ${row.name}`, () => {
    const trades = BTC.map((t) => ({ ...t }));
    const bars = BTC_BARS.map((b) => ({ ...b }));
    row.trades?.(trades);
    row.bars?.(bars);
    const results = runChecks({ trades, bars, subscribed: ["BTCUSDT"] }, O, lastTime(BTC) + 1_000);
    const r = result(results, row.check, row.table);
    assert.equal(r.status, row.status, JSON.stringify(r.samples.map((s) => s.detail)));
    assert.equal(r.failed, row.failed);
    assert.ok(r.samples.length > 0 && r.samples.every((s) => s.rule === row.rule), `rules: ${r.samples.map((s) => s.rule)}`);
    assert.equal(overallStatus(results), row.status);
    // Every other check still passes: a defect is reported by the check that owns it.
    for (const other of results) if (other !== r) assert.equal(other.status, "PASSED", `${other.name}/${other.table} also fired: ${other.samples.map((s) => s.detail)}`);
  });
}

test("warm-up bars without features pass; a row is sampled at most sampleLimit times", () => {
  const warm = BTC_BARS.slice(0, 9);
  assert.ok(warm.every((b) => b.lag1 === null), "the first 9 bars are warm-up");
  const allNull = BTC_BARS.map((b) => ({ ...b, lag1: null, lag3: null, ma5: null, ma10: null, momentum: null, volatilityChange: null }));
  const r = result(runChecks({ bars: allNull }, O, lastTime(BTC) + 1_000), "features", "silver_bars");
  assert.equal(r.failed, allNull.length - 9);
  assert.equal(r.samples.length, O.sampleLimit);
});

test("a subscribed symbol that went silent is stale (WARN), one with recent trades is not", () => {
  const now = lastTime(BTC) + 10 * 60_000;
  const results = runChecks({ trades: BTC, subscribed: ["BTCUSDT", "ETHUSDT"] }, O, now);
  const r = result(results, "staleness", "bronze_trades");
  assert.equal(r.status, "WARN");
  assert.deepEqual(r.samples.map((s) => s.ref.symbol).sort(), ["BTCUSDT", "ETHUSDT"]);
  const fresh = result(runChecks({ trades: BTC, subscribed: ["BTCUSDT"] }, O, lastTime(BTC) + 60_000), "staleness", "bronze_trades");
  assert.equal(fresh.status, "PASSED");
});

test("range rules from JSON: out-of-range values fail (error) or warn, symbols filter", () => {
  const rules = parseRangeRules([
    { table: "iot_sensors", column: "temperature", min: -40, max: 85 },
    { name: "btc-qty", table: "bronze_trades", column: "quantity", max: 5, severity: "warn", symbols: ["BTCUSDT"] },
  ]);
  const sensors = [{ source: "iot", temperature: 21.5 }, { source: "iot", temperature: 120 }, { source: "iot", temperature: -41 }, { source: "iot", temperature: null }];
  const raw = BTC.map((t) => ({ source: t.source, symbol: t.symbol, trade_id: t.tradeId, quantity: t.quantity }));
  const results = runChecks({ ranges: [{ rule: rules[0]!, rows: sensors }, { rule: rules[1]!, rows: raw }] }, O, Date.now());
  assert.equal(results[0]!.status, "FAILED");
  assert.equal(results[0]!.failed, 2);
  assert.equal(results[0]!.checked, 3);
  assert.ok(results[0]!.samples.every((s) => s.quarantine));
  const big = BTC.filter((t) => t.quantity > 5).length;
  assert.ok(big > 0, "the recording has some trades above 5 BTC");
  assert.equal(results[1]!.status, "WARN");
  assert.equal(results[1]!.failed, big);
  assert.ok(results[1]!.samples.every((s) => !s.quarantine));
  const clean = runChecks({ ranges: [{ rule: rules[0]!, rows: [sensors[0]!] }] }, O, Date.now());
  assert.equal(clean[0]!.status, "PASSED");
});

test("range rules are validated with messages that name the entry", () => {
  assert.throws(() => parseRangeRules([{ table: "t", column: "c" }]), /range rule 0: give "min", "max" or both/);
  assert.throws(() => parseRangeRules([{ table: "t", column: "c", min: 1 }, { table: "", column: "c", min: 1 }]), /range rule 1: "table"/);
  assert.throws(() => parseRangeRules([{ table: "t", column: "c", min: 2, max: 1 }]), /"min" is above "max"/);
  assert.throws(() => parseRangeRules({}), /must be a JSON array/);
});
