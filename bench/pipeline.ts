/**
 * The live market path end to end: synthetic market (own process) → WebSocket → IngestActor →
 * TRADES → per-partition durable consumers → SymbolActors → SILVER, one in-process node, a
 * private nats-server.
 *
 * 1. Throughput at 10 and 1,000 symbols: the simulator emits a fixed total at max speed (it
 *    waits on the WebSocket, so it runs at the pipeline's pace); the clock runs from the moment it
 *    may start until the symbol actors' own counters (asked through the region) add up to the
 *    total. Zero loss = that sum equals what the simulator emitted, with no id gap in any actor.
 * 2. Trade → prediction latency at fixed rates (50 symbols, 2 s windows sliding 1 s, so ~50 bars
 *    close per second): each SilverBar carries the ingest time of the trade that closed it and
 *    the actor's emit time; percentiles over the bars read back from SILVER, warm-up excluded.
 *
 * Env: BENCH_PIPELINE_TRADES (default 600000), BENCH_PIPELINE_LATENCY_S (default 10),
 * BENCH_PIPELINE_ONLY=throughput|latency, BENCH_PIPELINE_SYMBOLS (default "10,1000").
 * Where the node's time goes: `node --cpu-prof --import tsx bench/pipeline.ts`.
 */
import type { LatencySummary } from "../src/runtime/latency.js";
import { describe, latencyBreakdown } from "./pipeline-latency.js";
import { cpuSeconds } from "./runner/process-cpu.js";
import { startPipeline, type Pipeline } from "./pipeline-harness.js";
import { describePipeline } from "./pipeline-waiting.js";
import { pollUntil, withDeadline } from "./runner/deadline.js";
import { exitAfterIfEntry } from "./runner/entry.js";
import { phase, record } from "./runner/figures.js";

const TRADES = Number(process.env.BENCH_PIPELINE_TRADES ?? 600_000);
const LATENCY_SECONDS = Number(process.env.BENCH_PIPELINE_LATENCY_S ?? 10);
const THROUGHPUT_SYMBOLS = (process.env.BENCH_PIPELINE_SYMBOLS ?? "10,1000").split(",").map(Number);
const ONLY = process.env.BENCH_PIPELINE_ONLY; // "throughput" | "latency" | unset (both)
const fmt = (n: number) => Math.round(n).toLocaleString("en");

interface Row {
  run: string;
  figure: string;
  notes: string;
}

async function partitionsRunning(p: Pipeline): Promise<void> {
  await pollUntil("32 partitions running", 60_000, () => (p.market.status?.() as { region?: { partitionsRunning: number } } | undefined)?.region?.partitionsRunning === 32, () => describePipeline(p), { intervalMs: 100 });
}

/** Polls the actors' counters until they hold `total` trades; returns (time, folded, emitted) samples. */
async function foldAll(p: Pipeline, total: number, everyMs: number): Promise<Array<{ t: number; n: number; emitted: number }>> {
  const samples: Array<{ t: number; n: number; emitted: number }> = [];
  const last = () => {
    const s = samples[samples.length - 1];
    return s ? `last sample ${((performance.now() - s.t) / 1000).toFixed(1)} s ago: ${fmt(s.n)} of ${fmt(total)} folded, simulator emitted ${fmt(s.emitted)}` : "no sample yet";
  };
  await pollUntil(
    `${fmt(total)} trades folded by the symbol actors`,
    300_000,
    async () => {
      const { trades } = await p.folded();
      const { eventsEmitted } = await p.simStats();
      samples.push({ t: performance.now(), n: trades, emitted: eventsEmitted });
      return trades >= total;
    },
    async () => `${last()}\n${await describePipeline(p)}`,
    { intervalMs: everyMs },
  );
  return samples;
}

async function throughput(symbols: number, total: number): Promise<Row> {
  await using p = await startPipeline({ symbols, rate: "max", total });
  await partitionsRunning(p);
  const t0 = performance.now();
  const cpu0 = { node: process.cpuUsage(), nats: cpuSeconds(p.nats.process.pid), sim: cpuSeconds(p.simulator.pid) };
  await p.go();
  const samples = await foldAll(p, total, 200);
  const t1 = samples[samples.length - 1]!.t;
  const secs = (t1 - t0) / 1000;
  const cpu = {
    node: (() => {
      const u = process.cpuUsage(cpu0.node);
      return (u.user + u.system) / 1e6;
    })(),
    nats: cpuSeconds(p.nats.process.pid) - cpu0.nats,
    sim: cpuSeconds(p.simulator.pid) - cpu0.sim,
  };
  const sim = await p.simStats();
  const folded = await p.folded();
  // Sustained: the slope between 20 % and 80 % of the total (start-up and the tail excluded).
  // Where the time went: until the simulator had emitted everything (it waits on the WebSocket, so
  // this is the ingest side's pace), and how long the actors needed after that.
  const emittedAll = samples.find((x) => x.emitted >= total)?.t ?? t1;
  const half = samples.find((x) => x.n >= total / 2)?.t ?? t1;
  const lossless = folded.trades === sim.eventsEmitted && folded.gaps === 0 && folded.missing === 0;
  const perTrade = (s: number) => ((s * 1e6) / total).toFixed(1);
  record(`simulator → ingest → log → SymbolActors, end to end, ${symbols} symbols, ${fmt(total)} trades at max rate`, total / secs, "trades/s", `${lossless ? "zero loss" : "LOSS"}; ${secs.toFixed(1)} s; CPU µs/trade: node ${perTrade(cpu.node)}, nats-server ${perTrade(cpu.nats)}, simulator ${perTrade(cpu.sim)}`);
  return {
    run: `throughput, ${symbols} symbols, ${fmt(total)} trades at max rate`,
    figure: `${fmt(total / secs)} trades/s end to end (${secs.toFixed(1)} s from go to the last trade accepted by an actor)`,
    notes:
      `simulator done emitting after ${((emittedAll - t0) / 1000).toFixed(1)} s, half the trades in the actors after ${((half - t0) / 1000).toFixed(1)} s; ` +
      `${lossless ? "zero loss" : "LOSS"}: simulator emitted ${fmt(sim.eventsEmitted)}, actors accepted ${fmt(folded.trades)}, gaps ${folded.gaps}, missing ${folded.missing}, redeliveries skipped ${folded.duplicates}; ` +
      `CPU µs/trade: node ${perTrade(cpu.node)}, nats-server ${perTrade(cpu.nats)}, simulator ${perTrade(cpu.sim)} (node ${((cpu.node / secs) * 100).toFixed(0)} %, nats ${((cpu.nats / secs) * 100).toFixed(0)} %, sim ${((cpu.sim / secs) * 100).toFixed(0)} % of one core)`,
  };
}

async function latency(rate: number, seconds: number): Promise<Row> {
  const symbols = 50;
  const total = rate * seconds;
  await using p = await startPipeline({ symbols, rate, total, nodeFlags: ["--window-size", "2s", "--window-slide", "1s", "--allowed-lateness", "200ms"] });
  await partitionsRunning(p);
  await p.go();
  await foldAll(p, total, 500);
  const sim = await p.simStats();
  const folded = await p.folded();
  await pollUntil("log drained", 30_000, () => ((p.market.status?.() as { region?: { logPending: number } }).region?.logPending ?? 1) === 0, () => describePipeline(p));
  // Warm-up excluded: bars ending in the first 3 s (connections, first fetches, JIT).
  const b = await withDeadline("SILVER and TRADES read back", 120_000, latencyBreakdown(p.nc, (bars) => Math.min(...bars.map((x) => x.windowEnd)) + 3000), () => describePipeline(p));
  const status = (p.market.status?.() as { tradeToBarLatencyMs: LatencySummary }).tradeToBarLatencyMs;
  const setting = `at ${fmt(rate)} trades/s, ${symbols} symbols, 2 s windows / 1 s slide`;
  record(`trade → prediction (bar emitted) p50 ${setting}`, b.total.p50 ?? NaN, "ms", `${b.bars} bars over ${seconds} s`);
  record(`trade → prediction (bar emitted) p99 ${setting}`, b.total.p99 ?? NaN, "ms", `max ${b.total.max ?? "-"} ms`);
  return {
    run: `latency, ${fmt(rate)} trades/s, ${symbols} symbols, 2 s windows / 1 s slide, ${seconds} s`,
    figure: `trade→prediction ${describe(b.total)} (${b.bars} bars)`,
    notes:
      `ingest→TRADES ${describe(b.ingestToLog)}, TRADES→actor emit ${describe(b.logToEmit)} (${b.matched} bars matched), emit→SILVER ${describe(b.emitToSilver)}; ` +
      `market status window p50 ${status.p50} / p99 ${status.p99} ms over ${status.count} bars; ${fmt(folded.trades)} of ${fmt(sim.eventsEmitted)} trades accepted, gaps ${folded.gaps}`,
  };
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  const step = async (label: string, f: () => Promise<Row>) => {
    phase(label);
    const row = await f();
    console.log(`  ${row.run}: ${row.figure}`);
    rows.push(row);
  };
  console.log("pipeline: simulator → ingest → TRADES → SymbolActors → SILVER (1 node in process, private nats-server, simulator in a child process)");
  if (ONLY !== "latency") {
    for (const symbols of THROUGHPUT_SYMBOLS) await step(`throughput, ${symbols} symbols`, () => throughput(symbols, TRADES));
  }
  if (ONLY !== "throughput") {
    await step("latency at 1k trades/s", () => latency(1_000, LATENCY_SECONDS));
    await step("latency at 10k trades/s", () => latency(10_000, LATENCY_SECONDS));
  }
  console.log("\n| run | figure | notes |\n|---|---|---|");
  for (const r of rows) console.log(`| ${r.run} | ${r.figure} | ${r.notes} |`);
}

exitAfterIfEntry(import.meta.url, run);
