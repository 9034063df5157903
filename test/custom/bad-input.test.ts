/**
 * Issue 12's bad-input suite (findings 5 and 6, "Time sanity", "Names"): every class of bad
 * custom input gets its own answer — a status and reason from the gateway, a dead letter with its
 * reason on the NATS path — and the good records around it still land. Real nats-server, web
 * server, router and lake; the SymbolActor logic shows what a far-future trade would have done.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { readCustomTable } from "../../src/custom/index.js";
import { Lake } from "../../src/lake/index.js";
import { createSymbolState, transition } from "../../src/actors/symbol/index.js";
import { ADMIN_KEY, deadLetters, routedAll, startRouter, startStack, tradesInLog, type Stack } from "./support.js";

const HOUR = 3_600_000;
const enc = new TextEncoder();

/** A record nested `levels` deep: `{"a":{"a":...1}}` (200,000 levels fit in 1 MiB). */
const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const wide = (fields: number) => Object.fromEntries(Array.from({ length: fields }, (_, i) => [`c${i}`, i]));
const nonUtf8 = Buffer.concat([Buffer.from('{"sensor_id":"p1","note":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);

async function customMessages(s: Stack): Promise<number> {
  return (await (await jetstreamManager(s.probe)).streams.info("CUSTOM")).state.messages;
}

test("gateway: each bad input gets its status and reason and publishes nothing; good requests around it land", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake);
  const now = Date.now();
  const cases: { name: string; body: string | Buffer | unknown; status: number; error: string; field?: string | RegExp }[] = [
    { name: "non-UTF-8 bytes", body: nonUtf8, status: 400, error: "invalid_encoding", field: "body" },
    { name: "a huge string", body: { sensor_id: "p1", note: "x".repeat(100_000) }, status: 413, error: "record_too_large", field: "note" },
    { name: "10,000 columns", body: { sensor_id: "p1", ...wide(10_000) }, status: 413, error: "record_too_large", field: "record" },
    { name: "nesting 100,000 deep", body: deep(100_000), status: 413, error: "record_too_large", field: /^a(\.a){31}$/ },
    { name: "a 1,000-character field name", body: { sensor_id: "p1", ["k".repeat(1000)]: 1 }, status: 413, error: "record_too_large" },
    { name: "a wrong type (symbol)", body: { symbol: 7, price: 1, timestamp: now }, status: 400, error: "invalid_record", field: "symbol" },
    { name: "a wrong type (price)", body: { symbol: "W", price: { v: 1 }, timestamp: now }, status: 400, error: "invalid_record", field: "price" },
    { name: "a far-future trade", body: { symbol: "W", price: 1, timestamp: now + HOUR }, status: 400, error: "timestamp_out_of_range", field: "timestamp" },
    { name: "a trade in year 275760", body: { symbol: "W", price: 1, timestamp: 8.64e15 }, status: 400, error: "timestamp_out_of_range", field: "timestamp" },
    { name: "an ancient trade (1999)", body: { symbol: "W", price: 1, timestamp: "1999-12-31T23:59:59Z" }, status: 400, error: "timestamp_out_of_range", field: "timestamp" },
    { name: "a trade at second 1 of 1970", body: { symbol: "W", price: 1, timestamp: 1 }, status: 400, error: "timestamp_out_of_range", field: "timestamp" },
    { name: "a far-future row", body: { sensor_id: "p1", t: 1, timestamp: now + 2 * HOUR }, status: 400, error: "timestamp_out_of_range", field: "timestamp" },
    { name: "one bad record in a batch", body: [{ sensor_id: "p1", t: 1, timestamp: now }, { sensor_id: "p1", t: 2, timestamp: now + HOUR }], status: 400, error: "timestamp_out_of_range", field: "timestamp" },
  ];
  let good = 0;
  for (const c of cases) {
    const body = Buffer.isBuffer(c.body) ? new Uint8Array(c.body) : typeof c.body === "string" ? c.body : JSON.stringify(c.body);
    const before = await customMessages(s);
    const res = await fetch(s.server.url + "/api/ingest/acme", { method: "POST", headers: { "content-type": "application/json", "x-api-key": ADMIN_KEY }, body });
    const answer = (await res.json()) as { error: string; field?: string; message: string };
    assert.equal(res.status, c.status, `${c.name}: ${JSON.stringify(answer).slice(0, 300)}`);
    assert.equal(answer.error, c.error, c.name);
    if (typeof c.field === "string") assert.equal(answer.field, c.field, c.name);
    else if (c.field) assert.match(answer.field ?? "", c.field, c.name);
    assert.ok(answer.message.length > 0 && answer.message.length < 500, `${c.name}: a short, clear message (${answer.message.slice(0, 100)})`);
    assert.equal(await customMessages(s), before, `${c.name}: nothing published`);
    // A good request right after (another client) is stored and routed.
    const ok = await s.post("/api/ingest/acme", [{ sensor_id: "p1", t: good, timestamp: now }, { symbol: "W", price: 1 + good, timestamp: now + good }]);
    assert.equal(ok.status, 202, `${c.name}: the next good request`);
    good++;
  }
  // Skew within the limit is fine; so is the collision pair, each in its own table.
  assert.equal((await s.post("/api/ingest/acme", { sensor_id: "p1", t: -1, timestamp: now + 60_000 })).status, 202);
  assert.equal((await s.post("/api/ingest/acme/corp_orders", { order: "a", amount: "n/a" }, { "x-api-key": ADMIN_KEY })).status, 202);
  assert.equal((await s.post("/api/ingest/acme_corp/orders", { order: "b", amount: 2 }, { "x-api-key": ADMIN_KEY })).status, 202);

  await routedAll(s, r.router);
  await r.publisher.flush();
  const rows = await readCustomTable(lake.table("custom.acme.iot"));
  assert.deepEqual(rows.map((x) => x.t).sort((a, b) => Number(a) - Number(b)), [-1, ...Array.from({ length: good }, (_, i) => i)]);
  assert.equal((await tradesInLog(s)).length, good);
  assert.deepEqual((await readCustomTable(lake.table("custom.acme.corp_orders"))).map((x) => x.amount), ["n/a"]);
  assert.deepEqual((await readCustomTable(lake.table("custom.acme_corp.orders"))).map((x) => x.amount), [2]);
  assert.deepEqual(await deadLetters(s), [], "the gateway let nothing bad through");
});

test("gateway, ?partial=true: one NDJSON batch with every bad class answers 207 listing each refused line with its reason; the good lines land", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake);
  const now = Date.now();
  const lines: (string | Buffer)[] = [
    JSON.stringify({ sensor_id: "p1", t: 1, timestamp: now }),
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), // {"a":"\xff"}
    JSON.stringify({ sensor_id: "p1", note: "x".repeat(100_000) }),
    JSON.stringify({ sensor_id: "p1", ...wide(10_000) }),
    deep(100_000),
    JSON.stringify({ symbol: "W", price: "twelve", timestamp: now }),
    JSON.stringify({ symbol: "W", price: 1, timestamp: now + HOUR }),
    JSON.stringify({ sensor_id: "p1", t: 9, timestamp: "1990-01-01T00:00:00Z" }),
    "{not json",
    JSON.stringify({ symbol: "W", price: 2.5, timestamp: now }),
    JSON.stringify({ sensor_id: "p1", t: 2, timestamp: now }),
  ];
  const body = Buffer.concat(lines.flatMap((l) => [typeof l === "string" ? Buffer.from(l) : l, Buffer.from("\n")]));
  const res = await fetch(`${s.server.url}/api/ingest/acme?partial=true`, { method: "POST", headers: { "content-type": "application/x-ndjson", "x-api-key": ADMIN_KEY }, body: new Uint8Array(body) });
  const answer = (await res.json()) as { accepted: number; sequences: (number | null)[]; rejected: { index: number; status: number; error: string; field: string }[] };
  assert.equal(res.status, 207, JSON.stringify(answer).slice(0, 500));
  assert.equal(answer.accepted, 3);
  assert.deepEqual(answer.rejected.map((x) => [x.index, x.status, x.error, x.field]), [
    [1, 400, "invalid_encoding", "body"],
    [2, 413, "record_too_large", "note"],
    [3, 413, "record_too_large", "record"],
    [4, 413, "record_too_large", "a" + ".a".repeat(31)],
    [5, 400, "invalid_record", "price"],
    [6, 400, "timestamp_out_of_range", "timestamp"],
    [7, 400, "timestamp_out_of_range", "timestamp"],
    [8, 400, "invalid_body", "body"],
  ]);
  assert.deepEqual(answer.sequences.map((q) => q !== null), [true, false, false, false, false, false, false, false, false, true, true]);

  // All refused: the first refusal's status, and the list.
  const none = await fetch(`${s.server.url}/api/ingest/acme?partial=1`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": ADMIN_KEY }, body: JSON.stringify([{ symbol: "W" }]) });
  assert.equal(none.status, 400);
  assert.equal(((await none.json()) as { rejected: unknown[] }).rejected.length, 1);

  await routedAll(s, r.router);
  await r.publisher.flush();
  assert.deepEqual((await readCustomTable(lake.table("custom.acme.iot"))).map((x) => x.t).sort(), [1, 2]);
  assert.deepEqual((await tradesInLog(s)).map((t) => t.price), [2.5]);
  assert.deepEqual(await deadLetters(s), []);
});

test("NATS path: each bad record is dead-lettered with its reason, the good ones in the same message land, and a far-future trade does not move the watermark", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake);
  const now = Date.now();
  const goodRow = (t: number) => `{"sensor_id":"p1","t":${t},"timestamp":${now}}`;
  // One message mixing good and bad records (hand-written JSON: the deep one cannot be stringified).
  const mixed = [
    goodRow(1),
    JSON.stringify({ sensor_id: "p1", note: "x".repeat(100_000) }),
    JSON.stringify({ sensor_id: "p1", ...wide(10_000) }),
    `{"sensor_id":"p1","nested":${deep(100_000)}}`,
    JSON.stringify({ sensor_id: "p1", t: "not a number", timestamp: now }),
    JSON.stringify({ sensor_id: "p1", t: 9, timestamp: now + HOUR }),
    JSON.stringify({ sensor_id: "p1", t: 9, timestamp: "1995-07-20T20:17:00Z" }),
    goodRow(2),
  ];
  s.probe.publish("ingest.plant.iot", enc.encode(`[${mixed.join(",")}]`));
  s.probe.publish("ingest.plant.iot", nonUtf8);
  s.probe.publish("ingest.plant.iot", enc.encode(goodRow(3)));
  // Market: a far-future trade, then ordinary ones.
  s.probe.publish("ingest.acme.market", enc.encode(JSON.stringify({ symbol: "W", price: 100, timestamp: now + 24 * HOUR })));
  s.probe.publish("ingest.acme.market", enc.encode(JSON.stringify([{ symbol: "W", price: 101, timestamp: now - 60_000 }, { symbol: "W", price: 102, timestamp: now - 30_000 }])));
  await s.probe.flush();
  await routedAll(s, r.router);
  await r.publisher.flush();

  const rows = await readCustomTable(lake.table("custom.plant.iot"));
  assert.deepEqual(rows.map((x) => x.t).sort(), [1, 2, 3], "the good records of the mixed message and the next one landed");
  assert.ok(rows.every((x) => !("note" in x) && !("c0" in x)), "no column from a refused record");

  const dead = (await deadLetters(s)).map((d) => ({ subject: d.subject, field: d.body.field, index: d.body.index, message: String(d.body.message) }));
  const expect: [string, string | null, number, RegExp][] = [
    ["dlq.record_too_large", "note", 1, /string of 100000 characters; at most 65536/],
    ["dlq.record_too_large", "record", 2, /more than 1000 fields/],
    ["dlq.record_too_large", "nested" + ".a".repeat(31), 3, /nested deeper than 32 levels/],
    ["dlq.schema_conflict", "t", 4, /column t is double, the record has a string/],
    ["dlq.timestamp_out_of_range", "timestamp", 5, /more than 300 s after the receive time/],
    ["dlq.timestamp_out_of_range", "timestamp", 6, /1995-07-20T20:17:00.000Z is before 2000-01-01/],
    ["dlq.invalid_encoding", null, -1, /not valid UTF-8/],
    ["dlq.timestamp_out_of_range", "timestamp", 0, /more than 300 s after the receive time/],
  ];
  assert.equal(dead.length, expect.length, JSON.stringify(dead, null, 1).slice(0, 2000));
  for (const [subject, field, index, message] of expect) {
    const hit = dead.find((d) => d.subject === subject && d.field === field && d.index === index);
    assert.ok(hit, `a dead letter ${subject} ${field} #${index} in ${JSON.stringify(dead).slice(0, 1500)}`);
    assert.match(hit.message, message);
  }

  // Only the two ordinary trades reached TRADES, so the SymbolActor's watermark follows them.
  const trades = (await tradesInLog(s)).filter((t) => t.symbol === "ACME_W");
  assert.deepEqual(trades.map((t) => t.price), [101, 102]);
  const state = createSymbolState("ACME_W");
  const late = trades.flatMap((t) => transition(state, { type: "trades", seq: t.tradeId, trades: [t] }, t.ingestTime).effects).filter((e) => e.type === "late-trade");
  assert.deepEqual(late, [], "no trade is late");
  assert.ok((state.windows.watermark ?? 0) <= now, "the watermark is not in the future");
  assert.deepEqual(r.router.status().deadLetters, { record_too_large: 3, schema_conflict: 1, timestamp_out_of_range: 3, invalid_encoding: 1 });
});
