/**
 * The scale bench's zero-loss check (bench/scale-verify.ts) on a real nats-server: a clean log is
 * clean, and a doubled trade, an id hole, a trade that never reached a bar (a missing window) and a
 * doubled bar are each counted. A check that missed these would let the bench print "zero loss".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { JetStreamClient } from "@nats-io/jetstream";
import { startNatsWithStreams } from "../helpers/nats-streams.js";
import { encodeTradeBatch } from "../../src/ingest/batch-codec.js";
import { addTrade, createWindows } from "../../src/market/windows.js";
import type { Bar } from "../../src/market/bar.js";
import type { Trade } from "../../src/market/trade.js";
import { checkLog } from "../../bench/scale-verify.js";
import { medianRun, scaleOptions } from "../../bench/scale-options.js";

const WINDOWS = { sizeMs: 2000, slideMs: 1000, allowedLatenessMs: 0 };
const T0 = 1_700_000_000_000;

function trade(symbol: string, tradeId: number): Trade {
  const t = T0 + tradeId * 500;
  return { source: "binance", symbol, tradeId, price: 100, quantity: 1, priceText: "100", quantityText: "1", tradeTime: t, eventTime: t, ingestTime: t, buyerIsMaker: false };
}

/** The bars the SymbolActor's own window functions close for these trades. */
function barsOf(trades: Trade[]): Bar[] {
  const state = createWindows(trades[0]!.symbol, WINDOWS);
  return trades.flatMap((t) => addTrade(state, t).closedBars);
}

/** The scale bench's two streams: batches of trades and the silver bars. */
const STREAMS = [
  { name: "TRADES", subjects: ["md.trades.>"] },
  { name: "SILVER", subjects: ["silver.>"] },
];

async function publish(js: JetStreamClient, batches: Trade[][], bars: Bar[]): Promise<void> {
  for (const b of batches) await js.publish(`md.trades.0.${b[0]!.symbol}`, encodeTradeBatch(b));
  for (const bar of bars) await js.publish(`silver.${bar.symbol}`, new TextEncoder().encode(JSON.stringify(bar)));
}

const ids = (symbol: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => trade(symbol, from + i));

test("a complete log: every trade once, every window once", async () => {
  await using nats = await startNatsWithStreams(STREAMS);
  const { nc, js } = nats;
  const a = ids("AAAUSDT", 1, 20);
  const b = ids("BBBUSDT", 1, 20);
  await publish(js, [a.slice(0, 7), a.slice(7), b], [...barsOf(a), ...barsOf(b)]);
  const check = await checkLog(nc, WINDOWS);
  assert.equal(check.distinctTrades, 40);
  assert.equal(check.messages, 3);
  assert.equal(check.symbolsInLog, 2);
  assert.ok(check.bars > 10, `${check.bars} bars`);
  assert.deepEqual({ copies: check.copies, holes: check.holes, missingBars: check.missingBars, doubledBars: check.doubledBars }, { copies: 0, holes: 0, missingBars: 0, doubledBars: 0 });
  assert.equal((await checkLog(nc, WINDOWS, 1)).missingAtStart, 0);
});

test("doubled trades, id holes, missing and doubled bars are counted", async () => {
  await using nats = await startNatsWithStreams(STREAMS);
  const { nc, js } = nats;
  const a = ids("AAAUSDT", 1, 20);
  const b = [...ids("BBBUSDT", 1, 9), ...ids("BBBUSDT", 12, 20)]; // ids 10 and 11 never reached the log
  const c = ids("CCCUSDT", 4, 20); // its first three ids never reached the log
  const aBars = barsOf(a);
  const bBars = barsOf(b);
  // Trades 5-6 of AAAUSDT are in the log twice; one of its windows never came out of the actor; one of BBBUSDT's twice.
  const silver = [...aBars.filter((_, i) => i !== 3), ...bBars, bBars[2]!];
  await publish(js, [a.slice(0, 6), a.slice(4), b, c], [...silver, ...barsOf(c)]);
  const check = await checkLog(nc, WINDOWS, 1);
  const { distinctTrades, missingAtStart, copies, holes, missingBars, doubledBars } = check;
  assert.deepEqual({ distinctTrades, missingAtStart, copies, holes, missingBars, doubledBars }, { distinctTrades: 38 + 17, missingAtStart: 3, copies: 2, holes: 2, missingBars: 1, doubledBars: 1 });
});

test("scale options: defaults, lists, and a message naming the variable for bad input", () => {
  const o = scaleOptions({});
  assert.deepEqual([o.nodes, o.symbols, o.trades, o.repeat, o.latencyRate, o.ingest, o.roles, o.only], [[1, 2, 3], [1000, 5000], 200_000, 1, 10_000, "all", ["market"], undefined]);
  const custom = scaleOptions({ SCALE_NODES: "1, 3", SCALE_SYMBOLS: "50", SCALE_REPEAT: "3", SCALE_INGEST: "first", SCALE_ROLES: "market,lake", SCALE_ONLY: "latency", SCALE_PHASE_S: "60" });
  assert.deepEqual([custom.nodes, custom.symbols, custom.repeat, custom.ingest, custom.roles, custom.only, custom.phaseMs], [[1, 3], [50], 3, "first", ["market", "lake"], "latency", 60_000]);
  const bad: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{ SCALE_NODES: "1,x" }, /SCALE_NODES must be a positive integer \(got "x"\)/],
    [{ SCALE_TRADES: "0" }, /SCALE_TRADES/],
    [{ SCALE_REPEAT: "1.5" }, /SCALE_REPEAT must be a positive integer/],
    [{ SCALE_INGEST: "some" }, /SCALE_INGEST must be all or first/],
    [{ SCALE_ROLES: "lake" }, /must include market/],
    [{ SCALE_ROLES: "market,ingest" }, /"ingest" is not one of/],
    [{ SCALE_ONLY: "both" }, /SCALE_ONLY/],
  ];
  for (const [env, message] of bad) assert.throws(() => scaleOptions(env), message, JSON.stringify(env));
});

test("scale: the median run of a configuration, the lower middle one for an even count", () => {
  const runs = [{ r: 30 }, { r: 10 }, { r: 50 }, { r: 20 }, { r: 40 }];
  assert.equal(medianRun(runs, (x) => x.r), runs[0]);
  assert.equal(medianRun(runs.slice(0, 4), (x) => x.r), runs[3]);
  assert.equal(medianRun([{ r: 7 }], (x) => x.r).r, 7);
  assert.throws(() => medianRun([], (x: { r: number }) => x.r), /at least one run/);
});
