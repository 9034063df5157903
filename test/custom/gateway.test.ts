import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { jetstreamManager } from "@nats-io/jetstream";
import { waitFor } from "../helpers/wait.js";
import { ACME_KEY, ADMIN_KEY, startStack } from "./support.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const dec = new TextDecoder();

test("202: one record, an array and NDJSON land in CUSTOM with their sequence numbers", async () => {
  await using s = await startStack();
  const one = await s.post("/api/ingest/acme", { symbol: "WIDGET", price: 12.5, timestamp: T });
  assert.equal(one.status, 202, JSON.stringify(one.body));
  assert.deepEqual(one.body, { accepted: 1, sequences: [1], messages: 1, duplicates: 0, stream: "CUSTOM" });

  const many = await s.post("/api/ingest/acme", [
    { symbol: "WIDGET", price: 12.6, timestamp: T + 1, quantity: 2 },
    { data_type: "iot", payload: { sensor_id: "p1", temperature_c: 21.5 }, timestamp: T },
    { level: "warn", message: "slow", timestamp: T },
  ]);
  assert.equal(many.status, 202);
  assert.deepEqual(many.body.sequences, [2, 3, 4]);

  const nd = await s.post("/api/ingest/acme/orders", '{"order_id":1}\n\n{"order_id":2}\n', { "content-type": "application/x-ndjson" });
  assert.equal(nd.status, 202);
  assert.deepEqual(nd.body.sequences, [5, 5], "records of one type share a log message");

  const jsm = await jetstreamManager(s.probe);
  const subjects = [];
  for (let seq = 1; seq <= 5; seq++) subjects.push((await jsm.streams.getMessage("CUSTOM", { seq }))!.subject);
  assert.deepEqual(subjects, ["ingest.acme.market", "ingest.acme.market", "ingest.acme.iot", "ingest.acme.logs", "ingest.acme.orders"]);
  const packed = await jsm.streams.getMessage("CUSTOM", { seq: 5 });
  assert.deepEqual(JSON.parse(dec.decode(packed!.data)), [{ data_type: "orders", payload: { order_id: 1 } }, { data_type: "orders", payload: { order_id: 2 } }]);
  const first = await jsm.streams.getMessage("CUSTOM", { seq: 1 });
  assert.deepEqual(JSON.parse(dec.decode(first!.data)), { data_type: "market", payload: { symbol: "WIDGET", price: 12.5, timestamp: T } });
  assert.ok(Number(first!.header.get("Ingest-Time")) > 0, "the gateway stamps its receive time");

  // A large batch is split into log messages of at most 1000 records.
  const large = await s.post("/api/ingest/acme", Array.from({ length: 2500 }, (_, i) => ({ symbol: "BULK", price: 1 + i, timestamp: T + i })));
  assert.equal(large.status, 202);
  const perMessage = new Map<number, number>();
  for (const q of large.body.sequences as number[]) perMessage.set(q, (perMessage.get(q) ?? 0) + 1);
  assert.deepEqual([...perMessage.values()], [1000, 1000, 500]);
  assert.equal(large.body.messages, 3);

  // A retried request with the same Idempotency-Key is stored once.
  const again = () => s.post("/api/ingest/acme", { symbol: "WIDGET", price: 1, timestamp: T }, { "idempotency-key": "req-77" });
  const a = await again();
  const b = await again();
  assert.deepEqual([a.status, b.status, b.body.duplicates, b.body.sequences[0]], [202, 202, 1, a.body.sequences[0]]);
  // The wildcard key writes to any source; Authorization: Bearer works too.
  const other = await s.post("/api/ingest/plant_7", { sensor_id: "x", v: 1 }, { "x-api-key": "", authorization: `Bearer ${ADMIN_KEY}` });
  assert.equal(other.status, 202);
});

test("400 names the missing or mistyped field and publishes nothing", async () => {
  await using s = await startStack();
  const cases: [unknown, string, number?][] = [
    [{ price: 1, timestamp: T }, "symbol"],
    [{ symbol: "W", timestamp: T }, "price"],
    [{ symbol: "W", price: 1 }, "timestamp"],
    [{ symbol: "W", price: "twelve", timestamp: T }, "price"],
    [{ symbol: ["W"], price: 1, timestamp: T }, "symbol"],
    [{ symbol: "W", price: 1, timestamp: T, quantity: "lots" }, "quantity"],
    [{ symbol: "W_1", price: 1, timestamp: T }, "symbol"],
    [[{ symbol: "W", price: 1, timestamp: T }, { symbol: "W", price: 1 }], "timestamp", 1],
    [{ data_type: "iot", payload: 5 }, "payload"],
    [42, "record"],
  ];
  for (const [body, field, index = 0] of cases) {
    const r = await s.post("/api/ingest/acme", body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.body.field, field, JSON.stringify(r.body));
    assert.equal(r.body.index, index);
    assert.match(r.body.message, new RegExp(field === "record" ? "object" : field));
  }
  for (const raw of ["{not json", "[]", ""]) {
    const r = await s.post("/api/ingest/acme", raw);
    assert.deepEqual([r.status, r.body.field], [400, "body"], raw);
  }
  const badSource = await s.post("/api/ingest/Bad.Source", { symbol: "W", price: 1, timestamp: T }, { "x-api-key": ADMIN_KEY });
  assert.deepEqual([badSource.status, badSource.body.field], [400, "source"]);
  const info = await (await jetstreamManager(s.probe)).streams.info("CUSTOM");
  assert.equal(info.state.messages, 0, "an invalid request publishes nothing");
});

test("401 for a missing or unknown key, 403 for another source's key", async () => {
  await using s = await startStack();
  const rec = { symbol: "W", price: 1, timestamp: T };
  const none = await s.post("/api/ingest/acme", rec, { "x-api-key": "" });
  const unknown = await s.post("/api/ingest/acme", rec, { "x-api-key": "not-a-key-at-all" });
  const other = await s.post("/api/ingest/globex", rec, { "x-api-key": ACME_KEY });
  assert.deepEqual([none.status, unknown.status, other.status], [401, 401, 403]);
  assert.match(none.headers.get("www-authenticate") ?? "", /X-API-Key/);
  const r = await fetch(s.server.url + "/api/ingest/acme", { headers: { "x-api-key": ACME_KEY } });
  assert.equal(r.status, 405);
});

test("413 for a body over INGEST_MAX_BODY, declared or streamed", async () => {
  await using s = await startStack({ maxBodyBytes: 2048 });
  const big = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ symbol: "W", price: 1 + i, timestamp: T })));
  assert.ok(big.length > 2048);
  const declared = await s.post("/api/ingest/acme", big);
  assert.equal(declared.status, 413);
  // Chunked upload (no Content-Length): the limit is enforced while reading.
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(s.server.url + "/api/ingest/acme", { method: "POST", headers: { "content-type": "application/json", "x-api-key": ACME_KEY, "transfer-encoding": "chunked" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (let i = 0; i < big.length; i += 500) req.write(big.slice(i, i + 500));
    req.end();
  });
  assert.equal(status, 413);
  const small = await s.post("/api/ingest/acme", { symbol: "W", price: 1, timestamp: T });
  assert.equal(small.status, 202, "the server still serves after a 413");

  // A client that disconnects mid-body: the request settles (as a 400), nothing is published.
  const before = s.gateway.figures().rejected[400] ?? 0;
  const req = request(s.server.url + "/api/ingest/acme", { method: "POST", headers: { "content-type": "application/json", "x-api-key": ACME_KEY, "content-length": "1000" } });
  req.on("error", () => undefined);
  req.write('[{"symbol":"W","price":1,');
  await waitFor(() => s.gateway.figures().requests >= 4, { what: "the partial request reached the gateway" });
  req.destroy();
  await waitFor(() => (s.gateway.figures().rejected[400] ?? 0) === before + 1, { what: "the aborted request settled" });
});

test("503 with Retry-After while NATS is down or the stream is missing; 202 again once it is back", async () => {
  await using s = await startStack();
  const rec = { symbol: "W", price: 1, timestamp: T };
  assert.equal((await s.post("/api/ingest/acme", rec)).status, 202);
  await s.nats.kill();
  const down = await waitFor(async () => {
    const r = await s.post("/api/ingest/acme", rec);
    return r.status === 503 ? r : undefined;
  }, { what: "503 while NATS is down", timeoutMs: 20_000 });
  assert.equal(down.headers.get("retry-after"), "1");
  assert.equal(down.body.error, "unavailable");
  await s.nats.restart();
  await waitFor(async () => (await s.post("/api/ingest/acme", rec)).status === 202, { what: "202 after NATS is back", timeoutMs: 30_000 });

  await using bare = await startStack({ streams: false, publishTimeoutMs: 1000 });
  const noStream = await bare.post("/api/ingest/acme", rec);
  assert.equal(noStream.status, 503);
  assert.equal(noStream.headers.get("retry-after"), "1");
});

test("GET /api/docs serves the OpenAPI document of the gateway", async () => {
  await using s = await startStack();
  const res = await fetch(s.server.url + "/api/docs");
  assert.equal(res.status, 200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, { post: { responses: Record<string, unknown> } }> };
  assert.equal(doc.openapi, "3.1.0");
  assert.deepEqual(Object.keys(doc.paths["/api/ingest/{source}"]!.post.responses).sort(), ["202", "207", "400", "401", "403", "413", "429", "503"]);
  const health = await fetch(s.server.url + "/healthz");
  assert.equal(health.status, 200, "the rest of the server is untouched");
  assert.equal((await s.post("/api/ingest/acme", [{ symbol: "W", price: 1, timestamp: T }, { symbol: "W", price: 2, timestamp: T }])).status, 202);
  assert.equal((await s.post("/api/ingest/acme", { symbol: "W" })).status, 400);
  const metrics = await (await fetch(s.server.url + "/metrics")).text();
  assert.match(metrics, /ingest_gateway_requests_total\{status="202"\} 1/);
  assert.match(metrics, /ingest_gateway_requests_total\{status="400"\} 1/);
  assert.match(metrics, /ingest_gateway_records_total 2/);
  assert.match(metrics, /ingest_gateway_request_seconds_count\{status="202"\} 1/);
});
