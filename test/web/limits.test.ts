/**
 * What the web server refuses before any procedure runs: foreign Host headers (DNS rebinding),
 * foreign origins, non-JSON tRPC bodies, oversized bodies and batches, too many subscriptions on
 * one WebSocket, and whole-stream replays. Real server, real NATS; raw HTTP where a browser or
 * attacker would not use the tRPC client.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream } from "@nats-io/jetstream";
import { TRPCClientError } from "@trpc/client";
import { WebSocket } from "ws";
import { raw, upgradeStatus } from "../helpers/raw-http.js";
import { waitFor } from "../helpers/wait.js";
import { json, silverBar, startWebStack, trpcClient } from "./fixtures.js";

/** The message of a tRPC error reply (single or batched). */
function errorMessage(body: string): string {
  const parsed = JSON.parse(body) as { error: { message: string } } | { error: { message: string } }[];
  return (Array.isArray(parsed) ? parsed[0]! : parsed).error.message;
}

test("a foreign Host header (DNS rebinding) is refused on tRPC and on the WebSocket upgrade; own names and WEB_ALLOWED_HOSTS pass", async () => {
  await using stack = await startWebStack({ allowedHosts: ["dash.example.com"] });
  const { url, port } = stack.server;
  const query = `${url}/trpc/market.symbols`;
  const evil = await raw(query, { headers: { host: `rebind.attacker.example:${port}` } });
  assert.equal(evil.status, 403);
  assert.match(errorMessage(evil.body), /Host "rebind\.attacker\.example:\d+" is not one of this server's names.*WEB_ALLOWED_HOSTS/);
  const evilRun = await raw(`${url}/trpc/control.run`, { method: "POST", headers: { host: `rebind.attacker.example:${port}`, "content-type": "application/json" }, body: JSON.stringify({ command: "status" }) });
  assert.equal(evilRun.status, 403);
  assert.equal(await upgradeStatus(`${url.replace("http", "ws")}/trpc`, { host: `rebind.attacker.example:${port}` }), 403);

  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, "dash.example.com", `dash.example.com:${port}`]) {
    assert.equal((await raw(query, { headers: { host } })).status, 200, host);
  }
  assert.equal((await raw(query, { headers: { host: `localhost:${port + 1}` } })).status, 403, "another port of localhost");
  assert.equal(await upgradeStatus(`${url.replace("http", "ws")}/trpc`, { host: `localhost:${port}` }), 101);
  // Health and metrics stay reachable by any name (probes and scrapers use the pod's address).
  assert.equal((await raw(`${url}/metrics`, { headers: { host: "10.1.2.3:9999" } })).status, 200);
});

test("a foreign Origin is refused on mutations, queries and the WebSocket upgrade; the server's own origin and WEB_ALLOWED_ORIGINS pass", async () => {
  await using stack = await startWebStack({ allowedOrigins: ["https://dash.example.com"] });
  const { url, port } = stack.server;
  const post = (origin: string) =>
    raw(`${url}/trpc/control.run`, { method: "POST", headers: { origin, "content-type": "application/json" }, body: JSON.stringify({ command: "status" }) });
  const foreign = await post(`http://127.0.0.1:${port + 1}`);
  assert.equal(foreign.status, 403);
  assert.match(errorMessage(foreign.body), /Origin "http:\/\/127\.0\.0\.1:\d+" may not call this server.*WEB_ALLOWED_ORIGINS/);
  assert.equal((await post("null")).status, 403, "an opaque origin (sandboxed frame, file:)");
  assert.equal((await raw(`${url}/trpc/market.symbols`, { headers: { origin: "https://evil.example" } })).status, 403);
  // Our own page's origin gets past the gate (then the control plane is simply not enabled here).
  assert.notEqual((await post(`http://127.0.0.1:${port}`)).status, 403);
  assert.notEqual((await post("https://dash.example.com")).status, 403);
  const ws = `${url.replace("http", "ws")}/trpc`;
  assert.equal(await upgradeStatus(ws, { origin: "https://evil.example" }), 403);
  assert.equal(await upgradeStatus(ws, { origin: `http://localhost:${port}` }), 101);
  assert.equal(await upgradeStatus(ws, { origin: "https://dash.example.com" }), 101);
});

test("tRPC bodies must be JSON: multipart, urlencoded, text/plain and octet-stream POSTs get 415", async () => {
  await using stack = await startWebStack();
  const form = new FormData();
  form.set("symbol", "BTCUSDT");
  const multipart = new Request("http://x/", { method: "POST", body: form });
  const body = Buffer.from(await multipart.arrayBuffer());
  const types: [string, string | Buffer][] = [
    [multipart.headers.get("content-type")!, body],
    ["application/x-www-form-urlencoded", "symbol=BTCUSDT"],
    ["text/plain", '{"symbol":"BTCUSDT"}'],
    ["application/octet-stream", "AAAA"],
  ];
  for (const [type, payload] of types) {
    const r = await raw(`${stack.server.url}/trpc/mlops.train`, { method: "POST", headers: { "content-type": type }, body: payload });
    assert.equal(r.status, 415, type);
    assert.match(errorMessage(r.body), /tRPC requests must be application\/json/, type);
  }
  const ok = await raw(`${stack.server.url}/trpc/market.symbols`, { method: "GET" });
  assert.equal(ok.status, 200);
});

test("limits: body size (HTTP and WebSocket) and batch size are refused with a clear tRPC error", async () => {
  await using stack = await startWebStack({ limits: { maxBodyBytes: 64 * 1024, maxBatch: 5 } });
  const { url } = stack.server;
  const big = await raw(`${url}/trpc/control.run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command: "status", args: ["x".repeat(100 * 1024)] }) });
  assert.equal(big.status, 413);
  assert.match(big.body, /PAYLOAD_TOO_LARGE/);

  // Over the WebSocket: a message above the limit closes the socket (1009, message too big).
  const ws = new WebSocket(`${url.replace("http", "ws")}/trpc`);
  await new Promise<void>((resolve, reject) => ws.once("open", () => resolve()).once("error", reject));
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  ws.send(JSON.stringify({ id: 1, method: "mutation", params: { path: "control.run", input: { command: "status", args: ["x".repeat(100 * 1024)] } } }));
  assert.equal(await closed, 1009);

  const paths = (n: number) => Array.from({ length: n }, () => "market.symbols").join(",");
  const input = (n: number) => encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, {}]))));
  assert.equal((await raw(`${url}/trpc/${paths(5)}?batch=1&input=${input(5)}`)).status, 200);
  const tooMany = await raw(`${url}/trpc/${paths(6)}?batch=1&input=${input(6)}`);
  assert.equal(tooMany.status, 400);
  assert.match(errorMessage(tooMany.body), /Batch call exceeds maximum size/);
});

test("limits: subscriptions per WebSocket connection, opened in one batch above WEB_MAX_BATCH; a finished one frees its place", async () => {
  // 25 subscriptions in one tick go out as one WebSocket message: a batch larger than maxBatch (20).
  await using stack = await startWebStack({ limits: { maxSubscriptions: 25 } });
  await using c = trpcClient(stack.server.url);
  const errors: unknown[] = [];
  const started: string[] = [];
  const open = (symbol: string) => c.client.market.ticks.subscribe({ symbol }, { onStarted: () => started.push(symbol), onError: (err) => errors.push(err) });
  const subs = Array.from({ length: 25 }, (_, i) => open(`S${i}USDT`));
  await waitFor(() => started.length === 25, { what: "25 subscriptions started" });
  assert.equal(errors.length, 0);
  subs.push(open("S25USDT"));
  await waitFor(() => errors.length === 1, { what: "the 26th refused" });
  const err = errors[0];
  assert.ok(err instanceof TRPCClientError);
  assert.equal(err.data?.code, "TOO_MANY_REQUESTS");
  assert.match(err.message, /at most 25 subscriptions per connection/);
  // Ending one frees a place on the same connection.
  subs[0]!.unsubscribe();
  let again = false;
  await waitFor(() => {
    if (!again) {
      again = true;
      c.client.market.ticks.subscribe({ symbol: "LATEUSDT" }, { onStarted: () => started.push("LATEUSDT"), onError: (e) => { errors.push(e); again = false; } });
    }
    return started.includes("LATEUSDT");
  }, { what: "a new subscription after one ended" });
  for (const s of subs) s.unsubscribe();
});

test("limits: bars$ with lastEventId \"0\" replays at most the configured number of messages, then continues live", async () => {
  await using stack = await startWebStack({ limits: { maxReplay: 5 } });
  const js = jetstream(stack.pub);
  let last = 0;
  for (let i = 0; i < 30; i++) last = (await js.publish("silver.BTCUSDT", json(silverBar("BTCUSDT", 1_000_000 + i * 10_000, 100 + i, null)))).seq;
  await using c = trpcClient(stack.server.url);
  const seqs: number[] = [];
  const sub = c.client.market.bars$.subscribe({ symbol: "BTCUSDT", lastEventId: "0" }, { onData: (e) => seqs.push(Number(e.id)) });
  await waitFor(() => seqs.includes(last), { what: "the latest bar" });
  const live = (await js.publish("silver.BTCUSDT", json(silverBar("BTCUSDT", 9_000_000, 1, null)))).seq;
  await waitFor(() => seqs.includes(live), { what: "a live bar after the replay" });
  sub.unsubscribe();
  assert.deepEqual(seqs, [last - 4, last - 3, last - 2, last - 1, last, live]);
});
