/** The pure parts of the Connections page: key format and hash, usage counts, the error ring, snippets. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { hashApiKey, KeyUsage, newApiKey, RecentErrors, runtimeKeyId } from "../../src/web/server/gateway/index.js";
import { snippets } from "../../src/web/app/connections/snippets.js";

test("a runtime key: thk_<12 hex id>_<43 base64url>, its id parsed back, its SHA-256 stored", () => {
  const a = newApiKey();
  const b = newApiKey();
  assert.notEqual(a.key, b.key);
  assert.equal(runtimeKeyId(a.key), a.keyId);
  assert.equal(a.keyHash, hashApiKey(a.key));
  assert.match(a.keyHash, /^[0-9a-f]{64}$/);
  for (const bad of ["", "acme-secret-key", `thk_${a.keyId}_short`, a.key + "x", a.key.replace("thk_", "tk_")]) assert.equal(runtimeKeyId(bad), undefined, bad);
});

test("key usage: totals, pending handed over once and restored after a failed write, requests per minute", () => {
  const u = new KeyUsage();
  const t0 = 1_000_000;
  u.record("k1", 5, t0);
  u.record("k1", 2, t0 + 1_000);
  u.record("k2", 1, t0 + 2_000);
  assert.deepEqual(u.snapshot("k1", t0 + 2_000), { lastUsedAt: t0 + 1_000, requests: 2, records: 7, perMinute: 2 });
  assert.equal(u.snapshot("nope", t0), undefined);
  const pending = u.takePending();
  assert.deepEqual(pending, [
    { keyId: "k1", lastUsedAt: t0 + 1_000, requests: 2, records: 7 },
    { keyId: "k2", lastUsedAt: t0 + 2_000, requests: 1, records: 1 },
  ]);
  assert.deepEqual(u.takePending(), [], "handed over once");
  u.record("k1", 1, t0 + 3_000);
  u.restorePending(pending);
  assert.deepEqual(u.pendingOf("k1"), { lastUsedAt: t0 + 3_000, requests: 3, records: 8 });
  // Half a minute into the next window: half of the previous window counts.
  const table: [number, number][] = [
    [t0 + 30_000, 3],
    [t0 + 90_000, 2],
    [t0 + 150_000, 0],
  ];
  for (const [at, perMinute] of table) assert.equal(u.snapshot("k1", at)!.perMinute, perMinute, `at +${at - t0} ms`);
  assert.equal(u.snapshot("k1", t0 + 150_000)!.requests, 3, "totals stay");
});

test("recent errors: newest first, at most perSource each, the least recently seen source dropped", () => {
  const r = new RecentErrors(2, 2);
  const e = (status: number) => ({ at: status, status, error: "x", message: "m", keyId: null });
  r.add("a", e(400));
  r.add("a", e(401));
  r.add("a", e(403));
  assert.deepEqual(r.of("a").map((x) => x.status), [403, 401]);
  r.add("b", e(413));
  r.add("a", e(429));
  r.add("c", e(503));
  assert.deepEqual(r.sources(), ["a", "c"]);
  assert.deepEqual(r.of("b"), []);
});

test("snippets: curl, Python requests, nats.js and the nats CLI for a source, with the key when there is one", () => {
  const s = snippets({ origin: "http://127.0.0.1:3000", natsUrl: "nats://127.0.0.1:4222", source: "acme", dataType: "", apiKey: "thk_x" });
  assert.deepEqual(s.map((x) => x.id), ["curl", "python", "natsjs", "nats-cli"]);
  assert.match(s[0]!.code, /^curl -X POST http:\/\/127\.0\.0\.1:3000\/api\/ingest\/acme \\\n  -H 'X-API-Key: thk_x'/);
  assert.match(s[1]!.code, /requests\.post\("http:\/\/127\.0\.0\.1:3000\/api\/ingest\/acme",[\s\S]*"X-API-Key": "thk_x"[\s\S]*json=\{"symbol": "WIDGET", "price": 12\.5/);
  assert.match(s[2]!.code, /publish\("ingest\.acme\.market"/);
  assert.equal(s[3]!.code, `nats --server nats://127.0.0.1:4222 pub ingest.acme.market '{"symbol":"WIDGET","price":12.5,"quantity":3,"timestamp":"2026-11-28T09:00:00Z"}'`);
  const typed = snippets({ origin: "https://tick.example", natsUrl: "nats://n:4222", source: "plant", dataType: "iot" });
  assert.match(typed[0]!.code, /\/api\/ingest\/plant\/iot[\s\S]*X-API-Key: <your API key>/);
  assert.match(typed[3]!.code, / pub ingest\.plant\.iot /);
});
