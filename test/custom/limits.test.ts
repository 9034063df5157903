/** Pure rules of issue 12's time sanity and record limits, and their configuration. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyRecord, receiveTime, recordLimitBreach, timeOutOfBounds } from "../../src/custom/index.js";
import { DEFAULT_TIME_BOUNDS } from "../../src/config/time-bounds.js";
import { ConfigError, loadConfig } from "../../src/config/index.js";

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const MIN = 60_000;

test("timeOutOfBounds: the floor always, the future skew from the receive time", () => {
  const cases: [number, number | undefined, boolean][] = [
    [NOW, NOW, true],
    [NOW + 5 * MIN, NOW, true],
    [NOW + 5 * MIN + 1, NOW, false],
    [NOW + 365 * 24 * 60 * MIN, undefined, true], // no receive time: only the floor applies
    [Date.UTC(2000, 0, 1), NOW, true],
    [Date.UTC(2000, 0, 1) - 1, NOW, false],
    [1000, NOW, false],
  ];
  for (const [t, received, ok] of cases) assert.equal(timeOutOfBounds(t, received, DEFAULT_TIME_BOUNDS) === undefined, ok, `${new Date(t).toISOString()} received ${received}`);
  assert.match(timeOutOfBounds(NOW + 10 * MIN, NOW, { maxFutureMs: MIN, minTimeMs: 0 })!, /2026-12-05T09:10:00.000Z is more than 60 s after the receive time 2026-12-05T09:00:00.000Z \(CUSTOM_MAX_FUTURE_SKEW\)/);
});

test("receiveTime: the gateway's Ingest-Time, never later than the server's store time; no number: the store time", () => {
  assert.equal(receiveTime(String(NOW - 40), NOW), NOW - 40, "the gateway received it before it was stored");
  assert.equal(receiveTime(String(NOW + 365 * 24 * 60 * MIN), NOW), NOW, "a header forged a year ahead buys nothing");
  for (const h of [undefined, "", "soon", "NaN", "Infinity"]) assert.equal(receiveTime(h, NOW), NOW, String(h));
});

test("classifyRecord: trades and rows out of time bounds are refused with reason timestamp_out_of_range; a row without a time is not", () => {
  const ctx = { source: "acme", receivedAt: NOW };
  const trade = classifyRecord({ symbol: "W", price: 1, timestamp: NOW + 6 * MIN }, ctx);
  assert.deepEqual(trade.kind === "invalid" && [trade.reason, trade.field], ["timestamp_out_of_range", "timestamp"]);
  const row = classifyRecord({ data_type: "iot", payload: { v: 1 }, timestamp: "1990-01-01" }, ctx);
  assert.deepEqual(row.kind === "invalid" && [row.reason, row.field], ["timestamp_out_of_range", "timestamp"]);
  assert.equal(classifyRecord({ sensor_id: "p", v: 1 }, ctx).kind, "table");
  assert.equal(classifyRecord({ symbol: "W", price: 1, timestamp: NOW + 4 * MIN }, ctx).kind, "market");
});

test("recordLimitBreach: strings, fields, field names and nesting, at any depth without recursion", () => {
  assert.equal(recordLimitBreach({ a: "x".repeat(65_536), b: [1, { c: 2 }] }), undefined);
  assert.deepEqual(recordLimitBreach({ a: { b: ["x".repeat(65_537)] } }), { field: "a.b.0", message: "a.b.0 is a string of 65537 characters; at most 65536" });
  assert.match(recordLimitBreach(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i])))!.message, /more than 1000 fields/);
  assert.match(recordLimitBreach({ ["k".repeat(257)]: 1 })!.message, /field name of 257 characters/);
  let deep: unknown = 1;
  for (let i = 0; i < 1_000_000; i++) deep = [deep];
  assert.match(recordLimitBreach(deep)!.message, /nested deeper than 32 levels/);
  let ok: unknown = 1;
  for (let i = 0; i < 31; i++) ok = { a: ok };
  assert.equal(recordLimitBreach(ok), undefined, "31 levels are fine");
});

test("config: CUSTOM_MAX_FUTURE_SKEW and CUSTOM_MIN_EVENT_TIME, with defaults and messages that name them", () => {
  assert.deepEqual(loadConfig([], {}).customTimeBounds, DEFAULT_TIME_BOUNDS);
  assert.deepEqual(loadConfig(["--custom-max-future-skew", "30s"], { CUSTOM_MIN_EVENT_TIME: "2015-06-01T00:00:00Z" }).customTimeBounds, { maxFutureMs: 30_000, minTimeMs: Date.UTC(2015, 5, 1) });
  assert.throws(() => loadConfig([], { CUSTOM_MAX_FUTURE_SKEW: "soon" }), (e: unknown) => e instanceof ConfigError && /CUSTOM_MAX_FUTURE_SKEW/.test(e.message));
  assert.throws(() => loadConfig([], { CUSTOM_MAX_FUTURE_SKEW: "30d" }), /CUSTOM_MAX_FUTURE_SKEW: 30d is over 7 days/);
  for (const bad of ["yesterday", "1960-01-01", "2000"]) assert.throws(() => loadConfig([], { CUSTOM_MIN_EVENT_TIME: bad }), /CUSTOM_MIN_EVENT_TIME/, bad);
});

test("config: CUSTOM_MAX_DATA_TYPES, CUSTOM_MAX_INSTRUMENTS, INGEST_RATE_LIMIT and CUSTOM_NATS_RATE_LIMIT", () => {
  assert.deepEqual(loadConfig([], {}).customQuotas, { maxDataTypes: 100, maxInstruments: 1000, recordsPerSecond: 20_000, logRecordsPerSecond: 60_000 });
  assert.deepEqual(
    loadConfig(["--ingest-rate-limit", "0", "--custom-nats-rate-limit", "500"], { CUSTOM_MAX_DATA_TYPES: "5", CUSTOM_MAX_INSTRUMENTS: "7" }).customQuotas,
    { maxDataTypes: 5, maxInstruments: 7, recordsPerSecond: 0, logRecordsPerSecond: 500 },
  );
  assert.equal(loadConfig([], { CUSTOM_NATS_RATE_LIMIT: "0" }).customQuotas.logRecordsPerSecond, 0);
  assert.throws(() => loadConfig([], { CUSTOM_MAX_DATA_TYPES: "0" }), /CUSTOM_MAX_DATA_TYPES/);
  assert.throws(() => loadConfig([], { INGEST_RATE_LIMIT: "fast" }), /INGEST_RATE_LIMIT/);
  assert.throws(() => loadConfig([], { CUSTOM_NATS_RATE_LIMIT: "-1" }), /CUSTOM_NATS_RATE_LIMIT/);
});
