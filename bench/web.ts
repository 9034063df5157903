/**
 * Trade → client latency of the web layer: a publisher sends LiveTicks on core NATS
 * (`ticks.<SYMBOL>`) at a fixed total rate, stamping ingestTime just before publishing; a
 * headless Node tRPC client (createWSClient + wsLink over `ws`, the same link stack the
 * browser uses, but no browser rendering) subscribes to `market.ticks` for every symbol and
 * records receipt − ingestTime (both on the same clock, sub-millisecond: timeOrigin + performance.now()). Reports p50/p90/p99/max and delivered/published.
 * Options: WEB_BENCH_RATE (ticks/s, default 300), WEB_BENCH_SECONDS (default 10),
 * WEB_BENCH_SYMBOLS (default 5).
 */
import { connect } from "@nats-io/transport-node";
import { createTRPCClient, createWSClient, wsLink } from "@trpc/client";
import { WebSocket } from "ws";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { createWebServer, type AppRouter } from "../src/web/index.js";
import { summarize } from "../src/web/server/latency.js";

const enc = new TextEncoder();
const clock = () => performance.timeOrigin + performance.now();

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${v}")`);
  return n;
}

export async function run(): Promise<void> {
  const rate = envNumber("WEB_BENCH_RATE", 300);
  const seconds = envNumber("WEB_BENCH_SECONDS", 10);
  const symbolCount = envNumber("WEB_BENCH_SYMBOLS", 5);
  const symbols = Array.from({ length: symbolCount }, (_, i) => `SYM${i}USDT`);

  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const pub = await connect({ servers: nats.url });
  await using server = await createWebServer({ host: "127.0.0.1", port: 0, nc, statusProvider: async () => [] });
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
  console.log(`web: trade→client (Node tRPC WS client, market.ticks) at ${rate} ticks/s over ${symbols.length} symbols, ${seconds} s`);
  console.log(`  delivered ${latencies.length}/${total} ticks in ${elapsed.toFixed(1)} s`);
  const f = (v: number | null) => (v === null ? "—" : v.toFixed(2));
  console.log(`  latency ms: p50 ${f(s.p50)} · p90 ${f(s.p90)} · p99 ${f(s.p99)} · max ${f(s.max)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
