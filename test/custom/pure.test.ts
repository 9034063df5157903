import { test } from "node:test";
import assert from "node:assert/strict";
import { classifyRecord, evolve, flattenRecord, parseTimestamp, routeMessage, typeByShape, type RecordClass } from "../../src/custom/index.js";
import { authorize } from "../../src/web/server/gateway/index.js";
import { parseApiKeys } from "../../src/config/api-keys.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const ctx = { source: "acme" };

test("classifyRecord: the original's simple form is market data of symbol <SOURCE>_<SYMBOL>", () => {
  const c = classifyRecord({ symbol: "widget", price: 12.5, timestamp: T }, ctx);
  assert.deepEqual(c, { kind: "market", dataType: "market", symbol: "ACME_WIDGET", price: 12.5, priceText: "12.5", quantity: 1, quantityText: "1", tradeTime: T });
  const s = classifyRecord({ symbol: "W1", price: "0.000123", quantity: "4.50", timestamp: new Date(T).toISOString() }, ctx);
  assert.equal(s.kind, "market");
  assert.deepEqual(s.kind === "market" && [s.priceText, s.quantity, s.quantityText, s.tradeTime], ["0.000123", 4.5, "4.50", T]);
  const secs = classifyRecord({ symbol: "W1", price: 1, timestamp: T / 1000 }, ctx);
  assert.equal(secs.kind === "market" && secs.tradeTime, T);
});

test("classifyRecord: missing and mistyped fields name the field", () => {
  const table: [unknown, string][] = [
    [{ price: 1, timestamp: T }, "symbol"],
    [{ symbol: "X", timestamp: T }, "price"],
    [{ symbol: "X", price: 1 }, "timestamp"],
    [{ symbol: 42, price: 1, timestamp: T }, "symbol"],
    [{ symbol: "BAD-SYM", price: 1, timestamp: T }, "symbol"],
    [{ symbol: "X", price: "abc", timestamp: T }, "price"],
    [{ symbol: "X", price: -1, timestamp: T }, "price"],
    [{ symbol: "X", price: 1, timestamp: "yesterday" }, "timestamp"],
    [{ symbol: "X", price: 1, timestamp: T, quantity: -2 }, "quantity"],
    [{ data_type: "crypto", payload: { symbol: "X", price: 1 } }, "timestamp"],
    [{ data_type: 5, payload: {} }, "data_type"],
    [{ data_type: "no.dots", payload: {} }, "data_type"],
    [{ data_type: "iot", payload: [1, 2] }, "payload"],
    ["a string", "record"],
    [[1], "record"],
  ];
  for (const [record, field] of table) {
    const c = classifyRecord(record, ctx);
    assert.equal(c.kind, "invalid", JSON.stringify(record));
    assert.equal((c as Extract<RecordClass, { kind: "invalid" }>).field, field, JSON.stringify(record));
  }
});

test("classifyRecord: routing by data_type, subject type, then shape", () => {
  const kind = (r: unknown, subjectType?: string) => {
    const c = classifyRecord(r, { source: "plant", ...(subjectType ? { subjectType } : {}) });
    return c.kind === "invalid" ? `invalid:${c.field}` : `${c.kind}:${c.dataType}`;
  };
  assert.equal(kind({ data_type: "IOT", payload: { sensor_id: "a", t: 1 } }), "table:iot");
  assert.equal(kind({ data_type: "LOGS", payload: "disk full" }), "table:logs");
  assert.equal(kind({ data_type: "CRYPTO", payload: { symbol: "abc", price: 2, timestamp: T } }), "market:market");
  assert.equal(kind({ sensor_id: "a", temperature: 3 }), "table:iot");
  assert.equal(kind({ level: "info", message: "x" }), "table:logs");
  assert.equal(kind({ order_id: 7 }), "table:generic");
  assert.equal(kind({ order_id: 7 }, "orders"), "table:orders");
  assert.equal(kind({ order_id: 7, data_type: "refunds" }, "orders"), "table:refunds");
  assert.equal(typeByShape({ price: 1 }), "market");
  const logs = classifyRecord({ data_type: "logs", payload: "disk full", timestamp: T }, ctx);
  assert.deepEqual(logs, { kind: "table", dataType: "logs", eventTime: T, fields: { message: "disk full" } });
});

test("parseTimestamp: ms, seconds, ISO strings; junk is undefined", () => {
  assert.equal(parseTimestamp(T), T);
  assert.equal(parseTimestamp(T / 1000), T);
  assert.equal(parseTimestamp(String(T)), T);
  assert.equal(parseTimestamp("2026-11-28T09:00:00Z"), T);
  for (const junk of ["", "soon", -5, 0, Infinity, null, {}, 1e300]) assert.equal(parseTimestamp(junk), undefined, String(junk));
});

test("flattenRecord: nested objects become columns, arrays JSON text, reserved names prefixed, clashes reported", () => {
  const f = flattenRecord({ Temp: 21.5, ok: true, tags: ["a", "b"], location: { lat: 1, lon: 2 }, source: "x", _seq: 3, "a b": "s", gone: null });
  assert.equal(f.kind, "ok");
  const values = f.kind === "ok" ? Object.fromEntries([...f.values].map(([k, v]) => [k, `${v.type}:${v.value}`])) : {};
  assert.deepEqual(values, {
    temp: "double:21.5",
    ok: "boolean:true",
    tags: 'string:["a","b"]',
    location_lat: "double:1",
    location_lon: "double:2",
    payload_source: "string:x",
    payload__seq: "double:3",
    a_b: "string:s",
  });
  const clash = flattenRecord({ "a.b": 1, a_b: 2 });
  assert.equal(clash.kind, "conflict");
  assert.equal(clash.kind === "conflict" && clash.column, "a_b");
});

test("evolve: new fields add nullable columns; another type is a conflict; numbers never conflict with numbers", () => {
  const cols = new Map<string, "double" | "string" | "boolean">([["temp", "double"], ["site", "string"]]);
  const ok = flattenRecord({ temp: 3, site: "lyon", battery: 90 });
  assert.deepEqual(ok.kind === "ok" && evolve(cols, ok.values), { kind: "ok", added: [{ name: "battery", type: "double", nullable: true }] });
  const bad = flattenRecord({ temp: "hot" });
  const e = bad.kind === "ok" ? evolve(cols, bad.values) : undefined;
  assert.equal(e?.kind, "conflict");
  assert.match(e?.kind === "conflict" ? e.message : "", /temp is double, the record has a string/);
});

test("routeMessage: trade ids come from the stream sequence; bad subject, JSON and records are dead letters", () => {
  const enc = new TextEncoder();
  const msg = (subject: string, body: unknown, seq = 5) => ({ subject, seq, data: enc.encode(typeof body === "string" ? body : JSON.stringify(body)), ingestTime: T + 9 });
  const [d] = routeMessage(msg("ingest.acme.market", { symbol: "w", price: 2, timestamp: T }));
  assert.equal(d?.kind, "trade");
  assert.deepEqual(d?.kind === "trade" && [d.trade.source, d.trade.symbol, d.trade.tradeId, d.trade.ingestTime], ["acme", "ACME_W", 5000, T + 9]);
  const batch = routeMessage(msg("ingest.acme.market", [{ symbol: "w", price: 2, timestamp: T }, { symbol: "w", price: 3, timestamp: T }, { symbol: "w" }]));
  assert.deepEqual(batch.map((x) => (x.kind === "trade" ? x.trade.tradeId : x.kind)), [5000, 5001, "dead-letter"]);
  const reasons = [msg("other.subject", {}), msg("ingest.acme.iot", "{nope"), msg("ingest.a-b.iot", {})].map((m) => routeMessage(m)[0]);
  assert.deepEqual(reasons.map((r) => r?.kind === "dead-letter" && r.reason), ["invalid_subject", "invalid_json", "invalid_subject"]);
  const [row] = routeMessage(msg("ingest.iot_sensors.iot", { sensor_id: "p1", t: 1, timestamp: T }));
  assert.deepEqual(row?.kind === "row" && [row.table, row.dataType, row.eventTime], ["custom.iot_sensors.iot", "iot", T]);
});

test("API keys: per-source and wildcard keys; unknown → 401 kind, another source → 403 kind; bad config is named", () => {
  const keys = parseApiKeys("acme:acme-secret-1, *:admin-secret-2");
  assert.deepEqual(authorize(keys, "acme-secret-1", "acme"), { kind: "ok" });
  assert.deepEqual(authorize(keys, "acme-secret-1", "other"), { kind: "wrong-source", allowed: ["acme"] });
  assert.deepEqual(authorize(keys, "admin-secret-2", "anything"), { kind: "ok" });
  assert.deepEqual(authorize(keys, "nope", "acme"), { kind: "unknown-key" });
  assert.deepEqual(authorize(keys, undefined, "acme"), { kind: "unknown-key" });
  assert.throws(() => parseApiKeys("acme"), /not source:key/);
  assert.throws(() => parseApiKeys("acme:short"), /shorter than 8/);
  assert.throws(() => parseApiKeys("bad.source:longenough"), /must be \* or/);
});
