/**
 * The trade log is idempotent per trade id: however several publishers of one symbol interleave
 * (an ingest handover overlaps old and new owner), each id lands in TRADES at most once, in
 * ascending order, and a publisher whose input has no hole from its mark on leaves no hole.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { TradeLogPublisher, type BackfillFn } from "../../src/ingest/publisher.js";
import type { Trade } from "../../src/market/trade.js";
import { rng } from "../market/fixtures.js";
import { log, readTrades, startStack, type Stack } from "./support.js";

const SYMBOLS = ["AAAUSDT", "BBBUSDT", "CCCUSDT"];

/** Runs `round` for seeds 1 to `seeds`, one after another, each on a fresh stack with its own seeded random. */
async function forEachSeed(seeds: number, round: (seed: number, random: () => number, stack: Stack) => Promise<void>): Promise<void> {
  for (let seed = 1; seed <= seeds; seed++) {
    await using stack = await startStack();
    await round(seed, rng(seed), stack);
  }
}

/** Every symbol's trade ids in the log are exactly 1 to `last`, each once, in order; `where(symbol)` starts each failure message. */
function assertIdsOneTo(trades: readonly Trade[], last: number, where: (symbol: string) => string): void {
  for (const symbol of SYMBOLS) {
    const ids = trades.filter((t) => t.symbol === symbol).map((t) => t.tradeId);
    const problem = ids.findIndex((id, i) => id !== i + 1);
    assert.equal(problem, -1, `${where(symbol)}: position ${problem} holds id ${ids[problem]}`);
    assert.equal(ids.length, last, `${where(symbol)}: ${ids.length} trades, expected ${last}`);
  }
}

function trade(symbol: string, id: number): Trade {
  const price = 100 + (id % 17);
  return { source: "binance", symbol, tradeId: id, price, quantity: 1, priceText: price.toFixed(8), quantityText: "1.00000000", tradeTime: 1_700_000_000_000 + id, eventTime: 1_700_000_000_000 + id, ingestTime: Date.now(), buyerIsMaker: id % 2 === 0 };
}

/** A previous reader that logged ids 1..last of each symbol (`lastIds`), then stopped. */
async function loggedByPreviousReader(stack: Stack, lastIds: ReadonlyMap<string, number>): Promise<void> {
  const old = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "old"), log, lingerMs: 1 });
  for (const [symbol, last] of lastIds) for (let id = 1; id <= last; id++) old.accept(trade(symbol, id));
  await old.flush();
  await old.close();
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One publisher's life: it adopts the symbols (reads their marks), then is fed each symbol's ids
 * from a little below its mark (the overlap a new socket sees) up to `last`, in random chunks,
 * with random pauses, and may stop early. Its input has no hole from its mark on.
 */
async function publisherLife(p: TradeLogPublisher, random: () => number, last: number, stopEarly: boolean): Promise<void> {
  await pause(random() * 40);
  await p.adopt("binance", SYMBOLS);
  const marks = new Map(p.status().symbols.map((s) => [s.symbol, s.lastId ?? 0]));
  const next = new Map(SYMBOLS.map((s) => [s, Math.max(1, (marks.get(s) ?? 0) + 1 - Math.floor(random() * 200))]));
  const stopAt = stopEarly ? Math.floor(last * (0.2 + random() * 0.6)) : Infinity;
  for (;;) {
    const open = SYMBOLS.filter((s) => next.get(s)! <= last);
    if (open.length === 0) break;
    const symbol = open[Math.floor(random() * open.length)]!;
    const from = next.get(symbol)!;
    if (from > stopAt) break;
    const to = Math.min(last, from + Math.floor(random() * 120));
    for (let id = from; id <= to; id++) p.accept(trade(symbol, id));
    next.set(symbol, to + 1);
    if (random() < 0.3) await pause(random() * 8);
    else await Promise.resolve();
  }
  await p.close();
}

test("several publishers of the same symbols, interleaved at random: every id once, in order, none missing (20 seeds)", { timeout: 240_000 }, async () => {
  const LAST = 1500;
  // Conflicts between publishers of different symbols sharing one partition's message: the path must run.
  let sharedPartitionConflicts = 0;
  await forEachSeed(20, async (seed, random, stack) => {
    const count = 2 + Math.floor(random() * 2);
    // One partition for all three symbols (their batches share messages and conflicts), or their own.
    const partitions = random() < 0.5 ? 1 : 32;
    const publishers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, `spool-${i}`), log, partitions, maxBatchTrades: 1 + Math.floor(random() * 300), lingerMs: 1 + Math.floor(random() * 20) }),
      ),
    );
    // The last one always runs to the end (someone owns the symbols at the end); the others may stop midway.
    await Promise.all(publishers.map((p, i) => publisherLife(p, random, LAST, i < count - 1 && random() < 0.5)));
    const conflicts = publishers.reduce((n, p) => n + p.status().tailConflicts, 0);
    if (partitions === 1) sharedPartitionConflicts += conflicts;
    assertIdsOneTo(await readTrades(stack.nc), LAST, (symbol) => `seed ${seed} (${count} publishers, ${partitions} partitions, ${conflicts} tail conflicts), ${symbol}`);
  });
  assert.ok(sharedPartitionConflicts > 0, "the seeds with one partition raced on it");
});

test("a publisher that knows an old tail is refused by the log, re-reads it and sends only the trades above it", async () => {
  await using stack = await startStack();
  const a = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "a"), log, lingerMs: 1 });
  const b = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "b"), log, lingerMs: 1 });
  await a.adopt("binance", ["AAAUSDT"]);
  await b.adopt("binance", ["AAAUSDT"]);
  for (let id = 1; id <= 100; id++) a.accept(trade("AAAUSDT", id));
  await a.flush(); // a now knows the subject's tail: its own batch
  for (let id = 101; id <= 120; id++) b.accept(trade("AAAUSDT", id));
  await b.flush(); // b moved the tail behind a's back
  // a's next batch, 101..150, expects a's old tail: refused, re-read, trimmed to 121..150.
  for (let id = 101; id <= 150; id++) a.accept(trade("AAAUSDT", id));
  await a.flush();
  const ids = (await readTrades(stack.nc)).map((t) => t.tradeId);
  assert.deepEqual(ids, Array.from({ length: 150 }, (_, i) => i + 1));
  assert.equal(a.status().tailConflicts, 1, "a's publish on a stale tail is refused once");
  assert.equal(a.status().alreadyInLog, 20);
  await a.close();
  await b.close();
});

test("a symbol taken over after its reader died past its last trade is caught up from the exchange's history, though no later trade shows the hole", async () => {
  await using stack = await startStack();
  await loggedByPreviousReader(stack, new Map([["AAAUSDT", 40]]));
  // The exchange had 41..55 too: the old reader died before logging them, and the market went quiet.
  const asked: Array<[number, number]> = [];
  const backfill = async (_source: string, symbol: string, fromId: number, toId: number) => {
    asked.push([fromId, toId]);
    const trades = [];
    for (let id = fromId; id <= Math.min(toId, 55); id++) trades.push(trade(symbol, id));
    return { trades };
  };
  const next = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "new"), log, lingerMs: 1, backfill, catchUpAfterMs: 50 });
  await next.adopt("binance", ["AAAUSDT", "BBBUSDT"]);
  let ids: number[] = [];
  for (let i = 0; i < 200 && ids.length < 55; i++) {
    await new Promise((r) => setTimeout(r, 25));
    await next.flush();
    ids = (await readTrades(stack.nc)).map((t) => t.tradeId);
  }
  assert.deepEqual(ids, Array.from({ length: 55 }, (_, i) => i + 1));
  assert.deepEqual(asked, [[41, Number.MAX_SAFE_INTEGER]], "only the symbol with a known mark is caught up, once");
  assert.equal(next.status().backfilled, 15);
  await next.close();
});

test("a catch-up waiting for its REST turn holds no live trade, and a live trade makes it moot: aborted, its late answer unused; a hole before the live trade is a gap fill, asked first", { timeout: 30_000 }, async () => {
  await using stack = await startStack();
  await loggedByPreviousReader(stack, new Map([["AAAUSDT", 40], ["BBBUSDT", 40]]));
  // The exchange's answers wait (many symbols queued behind the REST limit) until `answer()`.
  let answer = () => {};
  const answered = new Promise<void>((resolve) => (answer = resolve));
  const asked: Array<{ ask: string; priority: string | undefined; signal: AbortSignal | undefined }> = [];
  const backfill: BackfillFn = async (_source, symbol, fromId, toId, request) => {
    asked.push({ ask: `${symbol} ${fromId}-${toId === Number.MAX_SAFE_INTEGER ? "" : toId}`, priority: request?.priority, signal: request?.signal });
    await answered;
    const trades = [];
    for (let id = fromId; id <= Math.min(toId, 60); id++) trades.push(trade(symbol, id));
    return { trades };
  };
  const next = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "new"), log, lingerMs: 1, backfill, catchUpAfterMs: 50 });
  await next.adopt("binance", ["AAAUSDT", "BBBUSDT"]);
  await pause(200); // quiet past catchUpAfterMs: both catch up and wait
  assert.deepEqual(asked.map((a) => [a.ask, a.priority]), [["AAAUSDT 41-", "catch-up"], ["BBBUSDT 41-", "catch-up"]]);
  assert.equal(next.status().backfilling, 2, "the waiting catch-ups are shown as filling from REST");
  assert.equal(next.status().held, 0, "and hold no trade");
  // AAA's stream goes on from 41 (no hole); BBB's from 46 (41..45 missed).
  for (let id = 41; id <= 50; id++) next.accept(trade("AAAUSDT", id));
  for (let id = 46; id <= 50; id++) next.accept(trade("BBBUSDT", id));
  assert.ok(asked.every((a) => a.priority !== "catch-up" || a.signal?.aborted), "a live trade aborts its symbol's catch-up");
  let ids: number[] = [];
  for (let i = 0; i < 200 && ids.length < 50; i++) {
    await pause(25);
    ids = (await readTrades(stack.nc)).filter((t) => t.symbol === "AAAUSDT").map((t) => t.tradeId);
  }
  assert.deepEqual(ids, Array.from({ length: 50 }, (_, i) => i + 1), "AAA's live trades are in the log while the answers are still awaited");
  assert.deepEqual(asked.map((a) => [a.ask, a.priority]).slice(2), [["BBBUSDT 41-45", "fill"]], "BBB's hole is a gap fill");
  answer();
  await next.flush();
  const trades = await readTrades(stack.nc);
  // The exchange has 51..60 too (they come on the stream later, or a later live trade shows them as a hole): no moot answer adds them.
  for (const symbol of ["AAAUSDT", "BBBUSDT"]) assert.deepEqual(trades.filter((t) => t.symbol === symbol).map((t) => t.tradeId), Array.from({ length: 50 }, (_, i) => i + 1), symbol);
  const s = next.status();
  assert.deepEqual([s.catchUps, s.catchUpsMoot, s.backfilled, s.duplicatesDropped, s.backfilling, s.gaps], [2, 2, 5, 0, 0, 0], "two catch-ups, both moot; the gap fill added 41..45");
  await next.close();
});

test("catch-ups racing live trades, holes and gap fills, answers arriving at random times: every id once, in order, none missing (15 seeds)", { timeout: 120_000 }, async () => {
  const LAST = 400;
  await forEachSeed(15, async (seed, random, stack) => {
    // The previous reader died after logging 1..logged of each symbol; the exchange has 1..LAST.
    const logged = new Map(SYMBOLS.map((s) => [s, 1 + Math.floor(random() * 100)]));
    await loggedByPreviousReader(stack, logged);
    const asked = { catchUps: 0, gaps: 0 };
    const backfill = async (_source: string, symbol: string, fromId: number, toId: number) => {
      if (toId === Number.MAX_SAFE_INTEGER) asked.catchUps++;
      else asked.gaps++;
      await pause(random() * 150); // queued behind the REST limit for a while
      const trades = [];
      for (let id = fromId; id <= Math.min(toId, LAST); id++) trades.push(trade(symbol, id));
      return { trades };
    };
    const next = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "new"), log, backfill, lingerMs: 1 + Math.floor(random() * 10), catchUpAfterMs: 30 });
    await next.adopt("binance", SYMBOLS);
    // Per symbol the new stream starts somewhere after the log's tail (a hole or none), after a
    // quiet spell that may or may not outlast catchUpAfterMs, and skips ids now and then (holes).
    const cursor = new Map(SYMBOLS.map((s) => [s, logged.get(s)! + 1 + (random() < 0.5 ? 0 : Math.floor(random() * 30))]));
    const quiet = new Map(SYMBOLS.map((s) => [s, performance.now() + random() * 120]));
    for (;;) {
      const open = SYMBOLS.filter((s) => cursor.get(s)! <= LAST && performance.now() >= quiet.get(s)!);
      if (SYMBOLS.every((s) => cursor.get(s)! > LAST)) break;
      if (open.length === 0) {
        await pause(5);
        continue;
      }
      const symbol = open[Math.floor(random() * open.length)]!;
      let id = cursor.get(symbol)!;
      const to = Math.min(LAST, id + Math.floor(random() * 30));
      for (; id <= to; id++) if (id === LAST || random() > 0.03) next.accept(trade(symbol, id));
      cursor.set(symbol, id);
      if (random() < 0.4) await pause(random() * 10);
    }
    await next.flush();
    assertIdsOneTo(await readTrades(stack.nc), LAST, (symbol) => `seed ${seed}, ${symbol} (logged 1..${logged.get(symbol)}; ${asked.catchUps} catch-ups, ${asked.gaps} gap fills)`);
    assert.equal(next.status().gaps, 0, `seed ${seed}: every hole filled`);
    await next.close();
  });
});

test("a takeover whose new stream brought trades asks the exchange only for a hole before them, never a catch-up once the market goes quiet", { timeout: 30_000 }, async () => {
  await using stack = await startStack();
  await loggedByPreviousReader(stack, new Map([["AAAUSDT", 40], ["BBBUSDT", 40]]));
  const asked: string[] = [];
  const backfill = async (_source: string, symbol: string, fromId: number, toId: number) => {
    asked.push(`${symbol} ${fromId}-${toId}`);
    const trades = [];
    for (let id = fromId; id <= Math.min(toId, 50); id++) trades.push(trade(symbol, id));
    return { trades };
  };
  const next = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "new"), log, lingerMs: 1, backfill, catchUpAfterMs: 50 });
  next.hold("binance", ["AAAUSDT", "BBBUSDT"]);
  // Our streams are live: AAA from 41 on (no hole), BBB from 46 on (41..45 missed); then the market goes quiet.
  for (let id = 41; id <= 50; id++) next.accept(trade("AAAUSDT", id));
  for (let id = 46; id <= 50; id++) next.accept(trade("BBBUSDT", id));
  await next.adopt("binance", ["AAAUSDT", "BBBUSDT"]);
  await new Promise((r) => setTimeout(r, 300));
  await next.flush();
  const trades = await readTrades(stack.nc);
  for (const symbol of ["AAAUSDT", "BBBUSDT"]) assert.deepEqual(trades.filter((t) => t.symbol === symbol).map((t) => t.tradeId), Array.from({ length: 50 }, (_, i) => i + 1), symbol);
  assert.deepEqual(asked, ["BBBUSDT 41-45"], "the hole, once; no catch-up of a symbol that had trades");
  await next.close();
});

test("a takeover: the new reader holds what it reads until the old one logged all it read; no id lost or doubled, nothing asked of the exchange (10 seeds)", { timeout: 120_000 }, async () => {
  const LAST = 600;
  await forEachSeed(10, async (seed, random, stack) => {
    const asked: string[] = [];
    const backfill = async (_source: string, symbol: string, fromId: number, toId: number) => {
      asked.push(`${symbol} ${fromId}-${toId}`);
      return { trades: [] };
    };
    // The old reader batches lazily (some batches sent, the rest still open when it is claimed).
    const partitions = random() < 0.5 ? 1 : 32;
    const old = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "old"), log, backfill, partitions, lingerMs: 60_000, maxBatchTrades: 20 + Math.floor(random() * 100) });
    const next = await TradeLogPublisher.start(stack.nc, { spoolDir: join(stack.tmp, "new"), log, backfill, partitions, lingerMs: 1 });
    await old.adopt("binance", SYMBOLS, { catchUp: false });
    // Per symbol: the new reader's streams are live from `live` on; the old one read up to `stop` >= live - 1.
    const live = new Map(SYMBOLS.map((s) => [s, 2 + Math.floor(random() * (LAST / 2))]));
    const stop = new Map(SYMBOLS.map((s) => [s, live.get(s)! - 1 + Math.floor(random() * 100)]));
    next.hold("binance", SYMBOLS);
    const cursor = new Map(SYMBOLS.map((s) => [s, { old: 1, next: live.get(s)! }]));
    // Both read at once, in random chunks, until the old reader is told to stop.
    for (;;) {
      const open = SYMBOLS.flatMap((s) => [...(cursor.get(s)!.old <= stop.get(s)! ? [[s, "old"] as const] : []), ...(cursor.get(s)!.next <= LAST && random() < 0.5 ? [[s, "next"] as const] : [])]);
      if (!open.some(([, who]) => who === "old")) break;
      const [symbol, who] = open[Math.floor(random() * open.length)]!;
      const c = cursor.get(symbol)!;
      const to = Math.min(who === "old" ? stop.get(symbol)! : LAST, c[who] + Math.floor(random() * 40));
      for (let id = c[who]; id <= to; id++) (who === "old" ? old : next).accept(trade(symbol, id));
      c[who] = to + 1;
      if (random() < 0.2) await pause(random() * 5);
    }
    await old.flushSymbols("binance", SYMBOLS); // the claim: the old reader logs what it read
    await next.adopt("binance", SYMBOLS, { catchUp: false });
    for (const s of SYMBOLS) for (let id = cursor.get(s)!.next; id <= LAST; id++) next.accept(trade(s, id));
    await next.flush();
    assertIdsOneTo(await readTrades(stack.nc), LAST, (symbol) => `seed ${seed}, ${symbol} (live at ${live.get(symbol)}, old stopped at ${stop.get(symbol)})`);
    assert.deepEqual(asked, [], `seed ${seed}: nothing asked of the exchange`);
    assert.equal(next.status().gaps, 0);
    await old.close();
    await next.close();
  });
});
