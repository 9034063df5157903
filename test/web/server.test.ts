import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstream } from "@nats-io/jetstream";
import { TRPCClientError } from "@trpc/client";
import { waitFor } from "../helpers/wait.js";
import { candle, json, silverBar, startWebStack, tick, trpcClient } from "./fixtures.js";

const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

test("queries over HTTP: symbols, candles and bars from the streams' tails, input validation", async () => {
  await using stack = await startWebStack();
  const js = jetstream(stack.pub);
  for (let i = 0; i < 5; i++) await js.publish("candles.BTCUSDT", json(candle("BTCUSDT", T0 + i * 60_000, 100 + i, 101 + i)));
  await js.publish("candles.ETHUSDT", json(candle("ETHUSDT", T0, 10, 11)));
  for (let i = 0; i < 4; i++) await js.publish("silver.BTCUSDT", json(silverBar("BTCUSDT", T0 + i * 10_000, 100 + i, 101 + i)));
  await using c = trpcClient(stack.server.url);

  assert.deepEqual(await c.client.market.symbols.query(), ["BTCUSDT", "ETHUSDT"]);
  const candles = await c.client.market.candles.query({ symbol: "BTCUSDT", limit: 3 });
  assert.deepEqual(candles.map((x) => x.openTime), [T0 + 120_000, T0 + 180_000, T0 + 240_000]);
  assert.equal(candles[2]!.close, 105);
  const bars = await c.client.market.bars.query({ symbol: "BTCUSDT", limit: 10 });
  assert.equal(bars.length, 4);
  assert.deepEqual(bars.map((b) => b.prediction), [101, 102, 103, 104]);
  assert.equal(bars[0]!.latencyMs, 3);
  assert.ok(bars.every((b, i) => i === 0 || b.seq! > bars[i - 1]!.seq!));
  assert.deepEqual(await c.client.market.candles.query({ symbol: "SOLUSDT", limit: 10 }), []);

  await assert.rejects(c.client.market.candles.query({ symbol: "btc; drop", limit: 10 }), (err: unknown) => {
    assert.ok(err instanceof TRPCClientError);
    assert.equal(err.data?.code, "BAD_REQUEST");
    assert.match(err.message, /symbol must be/);
    return true;
  });
  await assert.rejects(c.client.market.bars.query({ symbol: "BTCUSDT", limit: 5000 }), /limit must be at most 2000/);
});

test("market.ticks pushes ticks published on NATS; a resubscriber gets the current tick at once", async () => {
  await using stack = await startWebStack();
  await using c = trpcClient(stack.server.url);
  const got: number[] = [];
  const sub = c.client.market.ticks.subscribe({ symbol: "BTCUSDT" }, { onData: (e) => got.push(e.data.tradeId) });
  let id = 1;
  // The subscription registers asynchronously: keep publishing until ticks flow.
  await waitFor(() => {
    stack.pub.publish("ticks.BTCUSDT", json(tick("BTCUSDT", id++, 100 + id, Date.now())));
    stack.pub.publish("ticks.ETHUSDT", json(tick("ETHUSDT", 1, 10, Date.now())));
    return got.length >= 3;
  }, { what: "three ticks" });
  sub.unsubscribe();
  assert.ok(got.every((v, i) => i === 0 || v > got[i - 1]!), "ticks arrive in order");

  const again: number[] = [];
  const sub2 = c.client.market.ticks.subscribe({ symbol: "BTCUSDT" }, { onData: (e) => again.push(e.data.tradeId) });
  await waitFor(() => again.length >= 1, { what: "current tick on resubscribe" });
  // The current tick: at least as new as the last one delivered before, never one not published.
  assert.ok(again[0]! >= got[got.length - 1]! && again[0]! <= id - 1, `current tick ${again[0]}`);
  sub2.unsubscribe();

  const metrics = await (await fetch(stack.server.url + "/metrics")).text();
  assert.match(metrics, /web_ticks_received_total\{symbol="BTCUSDT"\} \d+/);
  assert.match(metrics, /web_ticks_received_total\{symbol="ETHUSDT"\} \d+/);
  assert.match(metrics, /web_trade_to_tick_latency_seconds_count \d+/);
});

test("market.bars$ resumes after a dropped socket with every missed bar exactly once", async () => {
  await using stack = await startWebStack();
  const js = jetstream(stack.pub);
  let opens = 0;
  await using c = trpcClient(stack.server.url, { onOpen: () => opens++ });
  let next = 0;
  const publishBar = () => js.publish("silver.BTCUSDT", json(silverBar("BTCUSDT", T0 + next * 10_000, 100 + next, 100 + ++next)));
  await publishBar(); // existing history: a fresh subscriber starts at the latest bar

  const seen: { id: string; windowEnd: number }[] = [];
  const sub = c.client.market.bars$.subscribe({ symbol: "BTCUSDT" }, { onData: (e) => seen.push({ id: e.id, windowEnd: e.data.windowEnd }) });
  await waitFor(() => seen.length >= 1, { what: "latest bar on subscribe" });
  for (let i = 0; i < 3; i++) await publishBar();
  await waitFor(() => seen.length >= 4, { what: "live bars" });

  // Drop the socket; publish while the client reconnects; it resumes from its last id.
  c.wsClient.connection?.ws.close();
  for (let i = 0; i < 5; i++) await publishBar();
  await waitFor(() => seen.length >= 9, { what: "missed bars after reconnect" });
  await publishBar();
  await waitFor(() => seen.length >= 10, { what: "live bar after resume" });
  sub.unsubscribe();

  assert.ok(opens >= 2, `the client reconnected (opens=${opens})`);
  assert.deepEqual(seen.map((s) => s.windowEnd), Array.from({ length: 10 }, (_, i) => T0 + i * 10_000), "every bar once, in order");
  assert.deepEqual(seen.map((s) => Number(s.id)), Array.from({ length: 10 }, (_, i) => i + 1), "ids are the stream sequences");

  // An explicit resume id (what the client sends) replays from the next sequence.
  const replay: number[] = [];
  const sub3 = c.client.market.bars$.subscribe({ symbol: "BTCUSDT", lastEventId: "7" }, { onData: (e) => replay.push(e.data.seq!) });
  await waitFor(() => replay.length >= 3, { what: "replay from 8" });
  sub3.unsubscribe();
  assert.deepEqual(replay, [8, 9, 10]);

  // The server's own watcher counts every bar (a core subscription, so poll until it caught up).
  const metrics = await waitFor(async () => {
    const text = await (await fetch(stack.server.url + "/metrics")).text();
    return /web_bars_received_total\{symbol="BTCUSDT"\} 10\n/.test(text) ? text : null;
  }, { what: "10 bars counted" });
  assert.match(metrics, /web_trade_to_prediction_latency_seconds_count 10\n/);
});

test("system.status and status$ push the provider's nodes with this server's figures", async () => {
  await using stack = await startWebStack({ statusIntervalMs: 20 });
  await using c = trpcClient(stack.server.url);
  const status = await c.client.system.status.query();
  assert.equal(status.nodes[0]!.nodeId, "node-a");
  assert.equal(status.nodes[0]!.cluster.owners.length, 32);
  assert.equal(status.error, null);
  const pushed: number[] = [];
  const sub = c.client.system.status$.subscribe(undefined, { onData: (s) => pushed.push(s.at) });
  await waitFor(() => pushed.length >= 3, { what: "three status pushes" });
  sub.unsubscribe();
  assert.ok(pushed.every((t, i) => i === 0 || t >= pushed[i - 1]!));
});

test("a failing status provider is reported as SERVICE_UNAVAILABLE", async () => {
  await using stack = await startWebStack({ statusProvider: async () => Promise.reject(new Error("cluster view not ready")) });
  await using c = trpcClient(stack.server.url);
  await assert.rejects(c.client.system.status.query(), (err: unknown) => {
    assert.ok(err instanceof TRPCClientError);
    assert.equal(err.data?.code, "SERVICE_UNAVAILABLE");
    assert.match(err.message, /cluster view not ready/);
    return true;
  });
});

test("/healthz reports NATS, /metrics serves the registry, unknown paths fall back to the app", async () => {
  await using stack = await startWebStack({ staticDir: "/nonexistent-web-dir" });
  const health = await fetch(stack.server.url + "/healthz");
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), {
    ok: true,
    nats: { connected: true, server: `127.0.0.1:${stack.nats.port}` },
    db: { configured: false, reachable: null, error: null },
  });
  const metrics = await fetch(stack.server.url + "/metrics");
  assert.equal(metrics.status, 200);
  const text = await metrics.text();
  assert.match(text, /# TYPE web_ticks_received_total counter/);
  assert.match(text, /# TYPE web_trade_to_prediction_latency_seconds histogram/);
  assert.match(text, /process_cpu_user_seconds_total/);
  const page = await fetch(stack.server.url + "/market/BTCUSDT");
  assert.equal(page.status, 503);
  assert.match(await page.text(), /not built yet/);

  await stack.nats.kill();
  await waitFor(async () => (await fetch(stack.server.url + "/healthz")).status === 503, { what: "unhealthy after NATS is gone" });
});

test("market.candles$ pushes closed candles and resumes after an id", async () => {
  await using stack = await startWebStack();
  const js = jetstream(stack.pub);
  await using c = trpcClient(stack.server.url);
  for (let i = 0; i < 3; i++) await js.publish("candles.BTCUSDT", json(candle("BTCUSDT", T0 + i * 60_000, 100, 100 + i)));
  await js.publish("candles.ETHUSDT", json(candle("ETHUSDT", T0, 10, 11)));
  const got: { id: string; openTime: number }[] = [];
  const sub = c.client.market.candles$.subscribe({ symbol: "BTCUSDT" }, { onData: (e) => got.push({ id: e.id, openTime: e.data.openTime }) });
  await waitFor(() => got.length >= 1, { what: "latest candle" });
  await js.publish("candles.BTCUSDT", json(candle("BTCUSDT", T0 + 180_000, 100, 104)));
  await waitFor(() => got.length >= 2, { what: "live candle" });
  sub.unsubscribe();
  assert.deepEqual(got.map((g) => g.openTime), [T0 + 120_000, T0 + 180_000]);

  const resumed: number[] = [];
  const sub2 = c.client.market.candles$.subscribe({ symbol: "BTCUSDT", lastEventId: "1" }, { onData: (e) => resumed.push(e.data.openTime) });
  await waitFor(() => resumed.length >= 3, { what: "candles after seq 1" });
  sub2.unsubscribe();
  assert.deepEqual(resumed, [T0 + 60_000, T0 + 120_000, T0 + 180_000], "ETHUSDT (seq 4) filtered out, BTCUSDT from seq 2");
});
