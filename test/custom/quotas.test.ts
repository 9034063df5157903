/**
 * Issue 12 "Quotas": per-source rate limit (gateway: 429 + Retry-After), data types and
 * instruments per source (gateway 429, NATS dlq.quota_exceeded), bounded bookkeeping.
 * Real nats-server, web server, router and lake; the gateway's clock is injected (no sleeps).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { burstFor, SourceQuotas } from "../../src/custom/quotas.js";
import { readCustomTable } from "../../src/custom/index.js";
import { Lake } from "../../src/lake/index.js";
import { ADMIN_KEY, deadLetters, routedAll, startRouter, startStack, tradesInLog } from "./support.js";

const enc = new TextEncoder();

test("SourceQuotas: a token bucket per source, data types and instruments capped, sources bounded", () => {
  const q = new SourceQuotas({ recordsPerSecond: 10, burst: 20, maxDataTypes: 2, maxInstruments: 1, maxSources: 3 });
  assert.equal(q.takeRate("a", 20, 0).kind, "ok");
  const limited = q.takeRate("a", 5, 0);
  assert.deepEqual(limited.kind === "rate_limited" && limited.retryAfterMs, 500);
  assert.equal(q.takeRate("b", 20, 0).kind, "ok", "another source has its own bucket");
  assert.equal(q.takeRate("a", 5, 500).kind, "ok", "refilled at 10/s");
  assert.equal(q.admit("a", "iot", undefined, 0).kind, "ok");
  assert.equal(q.admit("a", "market", "A_X", 0).kind, "ok");
  assert.equal(q.admit("a", "market", "A_X", 0).kind, "ok", "a known instrument again");
  assert.deepEqual(q.admit("a", "market", "A_Y", 0), { kind: "quota_exceeded", field: "symbol", message: "source a already has 1 instruments (CUSTOM_MAX_INSTRUMENTS); A_Y would be one more" });
  const logs = q.admit("a", "logs", undefined, 0);
  assert.deepEqual(logs.kind === "quota_exceeded" && logs.field, "data_type");
  for (let i = 0; i < 100; i++) q.admit(`s${i}`, "iot", undefined, 0);
  assert.equal(q.sources, 3, "at most maxSources remembered");
});

test("SourceQuotas: a clock that steps back (or log times out of order) neither drains nor refills the bucket; burstFor", () => {
  const q = new SourceQuotas({ recordsPerSecond: 10, burst: 20 });
  assert.equal(q.takeRate("a", 10, 1000).kind, "ok");
  assert.equal(q.takeRate("a", 5, 0).kind, "ok", "10 tokens left: a time 1 s earlier takes none away");
  assert.equal(q.takeRate("a", 5, 500).kind, "ok", "still before the latest time: nothing refilled, 5 left");
  assert.equal(q.takeRate("a", 1, 999).kind, "rate_limited", "empty until time passes the latest one seen");
  assert.equal(q.takeRate("a", 1, 1100).kind, "ok", "100 ms after it: 1 token");
  assert.equal(burstFor(20_000, 1000), 100_000, "5 s of records");
  assert.equal(burstFor(1, 1000), 1000, "at least one full request or message");
});

test("gateway: 429 + Retry-After past a source's rate, 429 quota_exceeded past its data types and instruments; other sources unaffected", async () => {
  let now = Date.UTC(2026, 11, 5, 9, 0, 0);
  await using s = await startStack({ maxRecords: 20, now: () => now, quotas: { recordsPerSecond: 4, maxDataTypes: 3, maxInstruments: 2 } });
  const rows = (n: number, type = "iot") => Array.from({ length: n }, (_, i) => ({ data_type: type, payload: { v: i }, timestamp: now }));
  const post = (source: string, body: unknown) => s.post(`/api/ingest/${source}`, body, { "x-api-key": ADMIN_KEY });

  assert.equal((await post("acme", rows(20))).status, 202, "a full burst (one whole request)");
  const limited = await post("acme", rows(1));
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error, "rate_limited");
  assert.equal(limited.headers.get("retry-after"), "1");
  assert.match(limited.body.message, /more than 4 records\/s/);
  assert.equal((await post("globex", rows(5))).status, 202, "another source has its own budget");
  now += 1000;
  assert.equal((await post("acme", rows(4))).status, 202, "4 more after a second");

  now += 60_000;
  assert.equal((await post("globex", [...rows(1, "logs"), ...rows(1, "orders")])).status, 202, "iot, logs, orders: 3 data types");
  const fourth = await post("globex", rows(1, "audit"));
  assert.deepEqual([fourth.status, fourth.body.error, fourth.body.field], [429, "quota_exceeded", "data_type"]);
  assert.match(fourth.body.message, /already has 3 data types \(CUSTOM_MAX_DATA_TYPES\); audit would be one more/);
  assert.equal(fourth.headers.get("retry-after"), null, "waiting does not help");
  assert.equal((await post("globex", rows(1, "orders"))).status, 202, "known data types still accepted");

  const trade = (symbol: string) => ({ symbol, price: 1, timestamp: now });
  assert.equal((await post("acme", [trade("X"), trade("Y"), trade("X")])).status, 202);
  const third = await post("acme", trade("Z"));
  assert.deepEqual([third.status, third.body.error, third.body.field], [429, "quota_exceeded", "symbol"]);
  assert.match(third.body.message, /already has 2 instruments \(CUSTOM_MAX_INSTRUMENTS\); ACME_Z would be one more/);
});

test("NATS path: data types and instruments past a source's quota are dead-lettered (quota_exceeded), the rest land; a restarted router still counts the source's tables", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  const now = Date.now();
  const quotas = { maxDataTypes: 3, maxInstruments: 2 };
  {
    await using r = await startRouter(s, lake, { quotas });
    for (const type of ["iot", "logs", "orders", "audit"]) s.probe.publish(`ingest.plant.${type}`, enc.encode(JSON.stringify({ v: 1, timestamp: now })));
    s.probe.publish("ingest.acme.market", enc.encode(JSON.stringify(["X", "Y", "Z", "X"].map((symbol, i) => ({ symbol, price: 1 + i, timestamp: now })))));
    s.probe.publish("ingest.plant.iot", enc.encode(JSON.stringify({ v: 2, timestamp: now })));
    await s.probe.flush();
    await routedAll(s, r.router);
    await r.publisher.flush();
    assert.deepEqual(r.router.status().deadLetters, { quota_exceeded: 2 });
  }
  assert.deepEqual((await readCustomTable(lake.table("custom.plant.iot"))).map((x) => x.v).sort(), [1, 2]);
  assert.equal((await readCustomTable(lake.table("custom.plant.logs"))).length, 1);
  assert.equal((await readCustomTable(lake.table("custom.plant.orders"))).length, 1);
  assert.ok(!(await lake.tables()).includes("custom.plant.audit"), "plant's 4th data type has no table");
  assert.deepEqual((await tradesInLog(s)).map((t) => `${t.symbol}@${t.price}`).sort(), ["ACME_X@1", "ACME_X@4", "ACME_Y@2"]);

  // After a restart the router knows plant's tables from the lake: a new type is still one too many.
  await using r2 = await startRouter(s, lake, { quotas });
  s.probe.publish("ingest.plant.alerts", enc.encode(JSON.stringify({ v: 3, timestamp: now })));
  await s.probe.flush();
  await routedAll(s, r2.router);
  const dead = (await deadLetters(s)).map((d) => `${d.subject} ${String(d.body.field)}: ${String(d.body.message)}`).sort();
  assert.deepEqual(dead, [
    "dlq.quota_exceeded data_type: source plant already has 3 data types (CUSTOM_MAX_DATA_TYPES); alerts would be one more",
    "dlq.quota_exceeded data_type: source plant already has 3 data types (CUSTOM_MAX_DATA_TYPES); audit would be one more",
    "dlq.quota_exceeded symbol: source acme already has 2 instruments (CUSTOM_MAX_INSTRUMENTS); ACME_Z would be one more",
  ]);
});

test("router: table writers are bounded (least recently used idle ones closed) and a reopened table goes on where it was", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake, { maxOpenTables: 2 });
  const now = Date.now();
  const types = ["t1", "t2", "t3", "t4", "t5"];
  for (const round of [1, 2]) {
    for (const type of types) s.probe.publish(`ingest.many.${type}`, enc.encode(JSON.stringify({ round, v: type, timestamp: now })));
    await s.probe.flush();
    await routedAll(s, r.router);
    assert.ok(r.router.status().tables.length <= 2, `${r.router.status().tables.length} writers open after round ${round}`);
  }
  for (const type of types) {
    const rows = await readCustomTable(lake.table(`custom.many.${type}`));
    assert.deepEqual(rows.map((x) => x.round).sort(), [1, 2], type);
  }
});
