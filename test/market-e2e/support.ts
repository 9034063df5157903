import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import { decodeTradeLogTrades } from "../../src/ingest/partition-log.js";
import type { Trade } from "../../src/market/trade.js";
import type { Bar } from "../../src/market/bar.js";
import { createSymbolState, naivePredictor, transition } from "../../src/actors/symbol/index.js";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every message of a stream subject, in stream order, through an ordered (ephemeral) consumer. */
export async function readSubject(nc: NatsConnection, stream: string, subject: string): Promise<Uint8Array[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream, { subjects_filter: subject })).state.subjects;
  const expected = Object.values(total ?? {}).reduce((a, b) => a + b, 0);
  const out: Uint8Array[] = [];
  if (expected === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject });
  while (out.length < expected) {
    const batch = await consumer.fetch({ max_messages: 1000, expires: 2000 });
    let got = 0;
    for await (const m of batch) {
      out.push(m.data);
      got++;
    }
    if (got === 0) break;
  }
  return out;
}

export async function silverBars(nc: NatsConnection, symbol: string): Promise<SilverBar[]> {
  return (await readSubject(nc, "SILVER", `silver.${symbol}`)).map((d) => JSON.parse(new TextDecoder().decode(d)) as SilverBar);
}

export async function loggedTrades(nc: NatsConnection): Promise<Trade[]> {
  return (await readSubject(nc, "TRADES", "md.trades.>")).flatMap((d) => decodeTradeLogTrades(d));
}

export type ExpectedBar = Pick<Bar, "windowStart" | "windowEnd" | "open" | "high" | "low" | "close" | "tradeCount" | "volume" | "volatility">;

/**
 * The straightforward computation: every 30 s window aligned to 10 s that closes before the
 * stream's watermark (max trade time − 2 s), its trades by time, their plain statistics.
 */
export function bruteForceBars(trades: readonly Trade[], sizeMs = 30_000, slideMs = 10_000, latenessMs = 2_000): ExpectedBar[] {
  const sorted = [...trades].sort((a, b) => a.tradeTime - b.tradeTime || a.tradeId - b.tradeId);
  const watermark = sorted[sorted.length - 1]!.tradeTime - latenessMs;
  const firstStart = Math.floor(sorted[0]!.tradeTime / slideMs) * slideMs - sizeMs + slideMs;
  const bars: ExpectedBar[] = [];
  for (let start = firstStart; start + sizeMs <= watermark; start += slideMs) {
    const inside = sorted.filter((t) => t.tradeTime >= start && t.tradeTime < start + sizeMs);
    if (inside.length === 0) continue;
    const prices = inside.map((t) => t.price);
    const mean = prices.reduce((a, b) => a + b, 0) / prices.length;
    bars.push({
      windowStart: start,
      windowEnd: start + sizeMs,
      open: inside[0]!.price,
      high: Math.max(...prices),
      low: Math.min(...prices),
      close: inside[inside.length - 1]!.price,
      tradeCount: inside.length,
      volume: inside.reduce((a, t) => a + t.quantity, 0),
      volatility: Math.sqrt(prices.reduce((a, p) => a + (p - mean) ** 2, 0) / prices.length),
    });
  }
  return bars;
}

/** A bar from the pipeline equals the plain computation's: window, OHLC and count exactly, volume and volatility to rounding. */
export function assertBarMatches(bar: ExpectedBar, want: ExpectedBar, where: string): void {
  assert.deepEqual([bar.windowStart, bar.windowEnd, bar.open, bar.high, bar.low, bar.close, bar.tradeCount], [want.windowStart, want.windowEnd, want.open, want.high, want.low, want.close, want.tradeCount], where);
  assert.ok(Math.abs(bar.volume - want.volume) < 1e-9 * Math.max(1, want.volume), `${where} volume`);
  assert.ok(Math.abs(bar.volatility - want.volatility) < 1e-8, `${where} volatility`);
}

/** The 7 features of bar i from the previous bars' closes and volatilities (null in warm-up). */
export function bruteForceFeatures(bars: readonly ExpectedBar[], i: number): Record<string, number> | null {
  if (i < 9) return null;
  const close = (k: number) => bars[k]!.close;
  const mean = (from: number) => {
    let s = 0;
    for (let k = from; k <= i; k++) s += close(k);
    return s / (i - from + 1);
  };
  return {
    volatility: bars[i]!.volatility,
    lag_1: close(i - 1),
    lag_3: close(i - 3),
    ma_5: mean(i - 4),
    ma_10: mean(i - 9),
    momentum: close(i) - close(i - 3),
    volatility_change: bars[i]!.volatility - bars[i - 1]!.volatility,
  };
}

/** The bars an undisturbed SymbolActor of `symbol` emits for these trades: the pure transition, one batch per 100 trades. */
export function undisturbedBars(symbol: string, trades: readonly Trade[]): SilverBar[] {
  const state = createSymbolState(symbol, {}, naivePredictor);
  const bars: SilverBar[] = [];
  for (let i = 0; i < trades.length; i += 100) {
    const { effects } = transition(state, { type: "trades", seq: i + 1, trades: trades.slice(i, i + 100) }, 0);
    for (const e of effects) if (e.type === "publish-bar") bars.push(e.bar);
  }
  return bars;
}

/** A bar without the emitter's wall clock, which differs between runs by nature. */
export const comparable = ({ emittedAt: _emittedAt, ...rest }: SilverBar) => rest;

/**
 * Every message of the partition's durable up to `lastSeq` is acknowledged. The ack floor says so,
 * or, after an owner recreated the durable past everything acknowledged (nats-server 2.9 reports a
 * durable created at a start sequence with ack floor 0 until its first ack), nothing is pending or
 * waiting for an ack and the durable's delivered position is at the end.
 */
export async function partitionAcked(jsm: JetStreamManager, durable: string, lastSeq: number): Promise<boolean> {
  const info = await jsm.consumers.info("TRADES", durable);
  return info.ack_floor.stream_seq >= lastSeq || (info.delivered.stream_seq >= lastSeq && info.num_ack_pending === 0 && info.num_pending === 0);
}
