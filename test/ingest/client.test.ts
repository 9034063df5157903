import { test } from "node:test";
import assert from "node:assert/strict";
import { BinanceStreamClient, type ClientOptions, type TradeSink } from "../../src/ingest/client.js";
import { MarketSimulator, type SimulatorOptions } from "../../src/simulator/server.js";
import { SyntheticSource } from "../../src/simulator/synthetic-source.js";
import type { Trade } from "../../src/market/trade.js";
import { waitFor } from "../helpers/wait.js";
import { log } from "./support.js";

class CollectingSink implements TradeSink {
  trades: Trade[] = [];
  invalids: string[] = [];
  trade(t: Trade): void {
    this.trades.push(t);
  }
  invalid(raw: string): void {
    this.invalids.push(raw);
  }
  symbols(): Set<string> {
    return new Set(this.trades.map((t) => t.symbol));
  }
}

async function setup(symbols: string[], sim: Partial<SimulatorOptions>, client: Partial<ClientOptions>, rate = 1000) {
  const source = new SyntheticSource({ symbols, tradesPerSecond: rate, seed: 11 });
  const simulator = await MarketSimulator.start({ source, ...sim });
  const sink = new CollectingSink();
  const c = new BinanceStreamClient({ baseUrl: simulator.url, symbols: client.symbols ?? symbols, sink, log, backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0.5 }, ...client });
  c.start();
  return {
    sim: simulator,
    sink,
    client: c,
    async [Symbol.asyncDispose]() {
      c.stop();
      await simulator.close();
    },
  };
}

test("pings are answered with pongs (ws autoPong) and the server sees them", async () => {
  await using s = await setup(["BTCUSDT"], { pingIntervalMs: 300 }, {});
  await waitFor(() => s.sim.stats().pongsReceived >= 3, { timeoutMs: 20_000, what: "3 pongs at the simulator" });
  assert.ok(s.client.status().connections[0]!.pingsReceived >= 3);
  assert.equal(s.sim.stats().connections, 1);
});

test("a silent socket (no frames, no pings) is detected and replaced; trades resume", async () => {
  await using s = await setup(["BTCUSDT"], { pingIntervalMs: 200 }, { silenceTimeoutMs: 1000 });
  await waitFor(() => s.sink.trades.length > 50, { timeoutMs: 20_000, what: "trades" });
  s.sim.goSilent();
  await waitFor(() => s.client.status().silentSockets >= 1, { timeoutMs: 20_000, what: "silence detected" });
  const n = s.sink.trades.length;
  await waitFor(() => s.sink.trades.length > n + 50, { timeoutMs: 20_000, what: "trades after reconnect" });
  assert.ok(s.sim.stats().connectionsOpened >= 2);
});

test("a dropped connection is reconnected with backoff", async () => {
  await using s = await setup(["BTCUSDT", "ETHUSDT"], {}, {});
  await waitFor(() => s.sink.trades.length > 50, { timeoutMs: 20_000, what: "trades" });
  s.sim.dropConnections();
  await waitFor(() => s.client.status().reconnects >= 1, { timeoutMs: 20_000, what: "reconnect scheduled" });
  const n = s.sink.trades.length;
  await waitFor(() => s.sink.trades.length > n + 50, { timeoutMs: 20_000, what: "trades after reconnect" });
});

test("runtime SUBSCRIBE/UNSUBSCRIBE stays under Binance's 5 messages/s even one stream per message", async () => {
  const all = Array.from({ length: 13 }, (_, i) => `S${i}USDT`);
  // maxParamsPerMessage 1: 12 SUBSCRIBE messages must be spread over ~3 s or the simulator disconnects.
  // (The client allows itself 4/s by default: exactly 5/s on our clock can look like 6/s on the
  // server's after network jitter, and pongs count too.)
  await using s = await setup(all, { maxIncomingPerSecond: 5 }, { symbols: [all[0]!], maxParamsPerMessage: 1 }, 3000);
  await waitFor(() => s.sink.trades.length > 0, { timeoutMs: 20_000, what: "first trades" });
  await Promise.all(all.slice(1).map((sym) => s.client.subscribe([sym])));
  await waitFor(() => s.sink.symbols().size === 13, { timeoutMs: 20_000, what: "trades of all 13 symbols" });
  await s.client.unsubscribe(all.slice(7));
  const cut = s.sink.trades.length;
  await waitFor(() => s.sink.trades.length > cut + 300, { timeoutMs: 20_000, what: "more trades" });
  // Frames already in flight when UNSUBSCRIBE was acked may still arrive; look at the tail only.
  const tail = new Set(s.sink.trades.slice(-100).map((t) => t.symbol));
  assert.ok([...tail].every((sym) => all.slice(0, 7).includes(sym)), [...tail].join(","));
  const st = s.sim.stats();
  assert.equal(st.rateLimitDisconnects, 0);
  assert.equal(st.connectionsOpened, 1);
  assert.ok(st.controlMessages >= 18);
});

test("more streams than one connection may carry are split over several connections", async () => {
  const symbols = Array.from({ length: 10 }, (_, i) => `K${i}USDT`);
  await using s = await setup(symbols, { maxStreamsPerConnection: 4 }, { maxStreamsPerConnection: 4 }, 2000);
  await waitFor(() => s.sink.symbols().size === 10, { timeoutMs: 20_000, what: "all 10 symbols" });
  assert.equal(s.client.status().connections.length, 3);
  assert.equal(s.sim.stats().connections, 3);
});

test("1,100 symbols with the real limits: two connections, 200 streams in each URL and the rest by rate-limited SUBSCRIBE", async () => {
  const symbols = Array.from({ length: 1100 }, (_, i) => `Z${i}USDT`);
  await using s = await setup(symbols, {}, {}, 4000);
  await waitFor(() => s.sink.symbols().size === 1100, { timeoutMs: 60_000, what: "trades of all 1,100 symbols" });
  const conns = s.client.status().connections;
  assert.deepEqual(conns.map((c) => c.streams).sort((a, b) => a - b), [76, 1024]);
  assert.equal(s.sim.stats().rateLimitDisconnects, 0);
});
