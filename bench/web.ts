/**
 * Trade → client latency of the web layer: a publisher sends LiveTicks on core NATS
 * (`ticks.<SYMBOL>`) at a fixed total rate, stamping ingestTime just before publishing; a
 * headless Node tRPC client (createWSClient + wsLink over `ws`, the same link stack the
 * browser uses, but no browser rendering) subscribes to `market.ticks` for every symbol and
 * records receipt − ingestTime (both on the same clock, sub-millisecond: timeOrigin + performance.now()). Reports p50/p90/p99/max and delivered/published.
 * Options: WEB_BENCH_RATE (ticks/s, default 300), WEB_BENCH_SECONDS (default 10),
 * WEB_BENCH_SYMBOLS (default 5).
 *
 * Then the same client through the REAL node: the market simulator replays the BTCUSDT recording
 * (×WEB_BENCH_REPLAY_SPEED, default 5) → ingest → TRADES → SymbolActor tick → web server → tRPC
 * WS client, for WEB_BENCH_NODE_SECONDS (default 10); latency = receipt − the tick's newest
 * trade's ingestTime (stamped by ingest on arrival from the simulator's socket, Date.now(), so
 * 1 ms resolution). Run twice: ticks every 250 ms (the product default; includes the 0–250 ms
 * wait for the next tick) and every 20 ms (close to the pipeline's own latency).
 */
import { connect } from "@nats-io/transport-node";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { WebSocket } from "ws";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { createWebServer, type AppRouter } from "../src/web/index.js";
import { summarize, type LatencySummary } from "../src/runtime/latency.js";
import { startPipeline } from "../test/web-e2e/stack.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";
import { describeJetStream } from "./runner/jetstream-waiting.js";
import { envNumber } from "./runner/env.js";

const enc = new TextEncoder();
const clock = () => performance.timeOrigin + performance.now();

export async function run(): Promise<void> {
  phase("synthetic ticks → tRPC client");
  await runSyntheticTicks();
  phase("through the node, 250 ms ticks");
  await runThroughNode(250);
  // A short tick cadence isolates the pipeline's own latency from the wait for the next tick.
  phase("through the node, 20 ms ticks");
  await runThroughNode(20);
}

const fmt = (v: number | null) => (v === null ? "—" : v.toFixed(2));

/** simulator → ingest → log → SymbolActor tick → web server → Node tRPC WS client. */
export async function runThroughNode(tickIntervalMs: number): Promise<void> {
  const seconds = envNumber("WEB_BENCH_NODE_SECONDS", 10);
  const speed = envNumber("WEB_BENCH_REPLAY_SPEED", 5);
  await using stack = await startPipeline({ nodeId: "bench-web", roles: "market,ingest,web", speed, tickIntervalMs });
  const wsClient = createWSClient({ url: stack.web.url.replace(/^http/, "ws") + "/trpc", WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
  const latencies: number[] = [];
  let trades = 0;
  let measuring = false;
  let firstTick: () => void = () => {};
  const first = new Promise<void>((resolve) => (firstTick = resolve));
  let lastTradeId = -1;
  const sub = client.market.ticks.subscribe(
    { symbol: "BTCUSDT" },
    {
      onData: (e) => {
        const receivedAt = Date.now();
        firstTick();
        // The latest-state replay of the current tick on subscribe is not a fresh delivery.
        if (!measuring || e.data.tradeId === lastTradeId) return;
        lastTradeId = e.data.tradeId;
        latencies.push(receivedAt - e.data.ingestTime);
        trades += e.data.tradesSinceLastTick;
      },
    },
  );
  await withDeadline("the first tick on the tRPC subscription", 60_000, first, async () => `node ${JSON.stringify(stack.node.status().components["market"] ?? null)}\n${await describeJetStream(stack.nc)}`);
  // Skip the start-up backlog (consumers, snapshots, the first windows) before measuring.
  await new Promise((r) => setTimeout(r, 2_000));
  measuring = true;
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (Date.now() - t0) / 1000;
  sub.unsubscribe();
  await wsClient.close();
  const market = stack.node.status().components["market"] as { tradeToBarLatencyMs: LatencySummary } | undefined;

  const s = summarize(latencies);
  const through = `trade → client through the real node (replay ×${speed} → ingest → SymbolActor tick → web → tRPC WS), ${tickIntervalMs} ms ticks`;
  record(`${through}, p50`, s.p50 ?? NaN, "ms", `${latencies.length} ticks, ${(trades / elapsed).toFixed(0)} trades/s`);
  record(`${through}, p99`, s.p99 ?? NaN, "ms", `max ${fmt(s.max)} ms`);
  console.log(`web: trade→client through the real node (replay ×${speed} → ingest → SymbolActor tick/${tickIntervalMs} ms → web → tRPC WS client), ${seconds} s`);
  console.log(`  ${latencies.length} ticks covering ${trades} trades in ${elapsed.toFixed(1)} s (${(trades / elapsed).toFixed(0)} trades/s)`);
  console.log(`  latency ms (ingest → client, incl. 0–${tickIntervalMs} ms tick wait): p50 ${fmt(s.p50)} · p90 ${fmt(s.p90)} · p99 ${fmt(s.p99)} · max ${fmt(s.max)}`);
  if (market) {
    const b = market.tradeToBarLatencyMs;
    console.log(`  trade→bar (closing trade's ingest → silver bar emitted) over ${b.count} bars: p50 ${fmt(b.p50)} · p99 ${fmt(b.p99)} · max ${fmt(b.max)}`);
  }
}

/** Synthetic ticks published straight to NATS → web server → Node tRPC WS client. */
export async function runSyntheticTicks(): Promise<void> {
  const rate = envNumber("WEB_BENCH_RATE", 300);
  const seconds = envNumber("WEB_BENCH_SECONDS", 10);
  const symbolCount = envNumber("WEB_BENCH_SYMBOLS", 5);
  const symbols = Array.from({ length: symbolCount }, (_, i) => `SYM${i}USDT`);

  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const pub = await connect({ servers: nats.url });
  // Two subscriptions per symbol (measured and warm-up) on one socket: lift the per-connection limit to fit.
  await using server = await createWebServer({ host: "127.0.0.1", port: 0, nc, statusProvider: async () => [], limits: { maxSubscriptions: Math.max(50, 2 * symbols.length) } });
  const wsClient = createWSClient({ url: server.url.replace(/^http/, "ws") + "/trpc", WebSocket: WebSocket as unknown as typeof globalThis.WebSocket });
  const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });

  const latencies: number[] = [];
  let started = false;
  const subs = symbols.map((symbol) =>
    client.market.ticks.subscribe({ symbol }, { onData: (e) => started && latencies.push(clock() - e.data.ingestTime), onStarted: () => undefined }),
  );
  // Warm up until every subscription delivers (they register asynchronously).
  const seen = new Set<string>();
  const warm = symbols.map((symbol) => client.market.ticks.subscribe({ symbol }, { onData: (e) => seen.add(e.data.symbol) }));
  let id = 1;
  const publish = (symbol: string) => {
    const now = clock();
    const tick = { symbol, price: 100 + (id % 50) / 10, quantity: 0.01, tradeId: id++, tradeTime: now, ingestTime: now, tradesSinceLastTick: 1, candle: null, emittedAt: now };
    pub.publish(`ticks.${symbol}`, enc.encode(JSON.stringify(tick)));
  };
  const warmDeadline = Date.now() + 15_000;
  while (seen.size < symbols.length) {
    if (Date.now() > warmDeadline) throw new Error("subscriptions did not start within 15 s");
    for (const s of symbols) publish(s);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const w of warm) w.unsubscribe();

  // Publish in 10 ms slices to hold the rate without a busy loop.
  started = true;
  const total = Math.round(rate * seconds);
  const t0 = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - t0) / 1000) * rate));
    while (sent < due) publish(symbols[sent++ % symbols.length]!);
    await new Promise((r) => setTimeout(r, 10));
  }
  await pub.flush();
  const drainDeadline = Date.now() + 5_000;
  while (latencies.length < total && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 20));
  const elapsed = (Date.now() - t0) / 1000;

  for (const s of subs) s.unsubscribe();
  await wsClient.close();
  await pub.close();
  await server.close();
  await nc.close();

  const s = summarize(latencies);
  const synthetic = `tick → tRPC WebSocket client, synthetic ticks at ${rate}/s over ${symbols.length} symbols`;
  record(`${synthetic}, p50`, s.p50 ?? NaN, "ms", `delivered ${latencies.length}/${total}`);
  record(`${synthetic}, p99`, s.p99 ?? NaN, "ms", `max ${fmt(s.max)} ms`);
  console.log(`web: trade→client (Node tRPC WS client, market.ticks) at ${rate} ticks/s over ${symbols.length} symbols, ${seconds} s`);
  console.log(`  delivered ${latencies.length}/${total} ticks in ${elapsed.toFixed(1)} s`);
  console.log(`  latency ms: p50 ${fmt(s.p50)} · p90 ${fmt(s.p90)} · p99 ${fmt(s.p99)} · max ${fmt(s.max)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
