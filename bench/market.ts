/**
 * Market pipeline throughput, single thread: Binance frame parse → SymbolActor transition
 * (de-dup, sliding windows, bars, 7 features, naive prediction, 1m candles).
 * Input: the real 19,904-trade BTCUSDT recording, replayed as N symbols interleaved round-robin
 * (trade i of every symbol is recording row i, renamed). Frames for a chunk are built before its
 * timer starts, so string building is not measured.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { parseBinanceFrame } from "../src/market/binance.js";
import { createSymbolState, transition, type SymbolState } from "../src/actors/symbol/index.js";
import { sharedData } from "../test/helpers/shared-data.js";
import { phase, record } from "./runner/figures.js";

const RECORDING = sharedData("binance-recorded/btcusdt-trade-stream_2024-08-08T2354Z_2024-08-09T0005Z.jsonl");

function loadFrames(): string[] {
  return readFileSync(RECORDING, "utf8").split("\n").filter((l) => l.length > 0);
}

function symbolName(i: number): string {
  return `S${String(i).padStart(4, "0")}USDT`;
}

/** Renames the recording row for another symbol (stream name and `s`). */
function rename(frame: string, symbol: string): string {
  return frame.replace("btcusdt@trade", `${symbol.toLowerCase()}@trade`).replace('"s":"BTCUSDT"', `"s":"${symbol}"`);
}

interface Measured {
  line: string;
  tradesPerSecond: number;
}

function benchParse(frames: string[]): Measured {
  const rounds = 5;
  let n = 0;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const f of frames) if (parseBinanceFrame(f, 0).kind === "trade") n++;
  const s = (performance.now() - start) / 1000;
  return { line: `parse only: ${n.toLocaleString("en")} frames in ${s.toFixed(2)} s = ${Math.round(n / s).toLocaleString("en")} trades/s`, tradesPerSecond: n / s };
}

function benchPipeline(frames: string[], symbols: number, tradesPerSymbol: number): Measured {
  const states = new Map<string, SymbolState>();
  const names = Array.from({ length: symbols }, (_, i) => symbolName(i));
  for (const s of names) states.set(s, createSymbolState(s));
  const chunk = Math.max(1, Math.floor(100_000 / symbols));
  let measured = 0;
  let trades = 0;
  let bars = 0;
  let candles = 0;
  let seq = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let from = 0; from < tradesPerSymbol; from += chunk) {
    const rows = frames.slice(from, Math.min(tradesPerSymbol, from + chunk));
    const batch: string[] = [];
    for (const row of rows) for (const s of names) batch.push(rename(row, s));
    const start = performance.now();
    for (const frame of batch) {
      const parsed = parseBinanceFrame(frame, 0);
      if (parsed.kind !== "trade") throw new Error(`unexpected frame ${parsed.kind}`);
      const state = states.get(parsed.trade.symbol)!;
      const { effects } = transition(state, { type: "trades", seq: ++seq, trades: [parsed.trade] }, 0);
      for (const e of effects) {
        if (e.type === "publish-bar") bars++;
        else if (e.type === "publish-candle") candles++;
      }
      trades++;
    }
    measured += performance.now() - start;
  }
  const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  const s = measured / 1000;
  const line =
    `${symbols} symbols: ${trades.toLocaleString("en")} trades in ${s.toFixed(2)} s = ${Math.round(trades / s).toLocaleString("en")} trades/s ` +
    `(${bars.toLocaleString("en")} bars, ${candles.toLocaleString("en")} candles; heap Δ ≈ ${heapMb.toFixed(0)} MB incl. unreclaimed frames)`;
  return { line, tradesPerSecond: trades / s };
}

export async function run(): Promise<void> {
  const frames = loadFrames();
  console.log("market pipeline (parse + windows + features + candles), single thread");
  phase("warm-up");
  benchPipeline(frames, 10, 3_000); // JIT warm-up, not reported
  const steps: Array<[name: string, measure: () => Measured]> = [
    ["Binance frame parse only", () => benchParse(frames)],
    ["parse + windows + features + candles, one thread, 10 symbols", () => benchPipeline(frames, 10, frames.length)],
    ["parse + windows + features + candles, one thread, 1,000 symbols", () => benchPipeline(frames, 1_000, 3_000)],
  ];
  for (const [name, measure] of steps) {
    phase(name);
    const m = measure();
    console.log("  " + m.line);
    record(name, m.tradesPerSecond, "trades/s");
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
