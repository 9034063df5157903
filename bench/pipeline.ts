/**
 * The live market path end to end: synthetic market (own process) → WebSocket → IngestActor →
 * TRADES → per-partition durable consumers → SymbolActors → SILVER, one in-process node, a
 * private nats-server.
 *
 * 1. Sustained throughput at 10 and 1,000 symbols: the simulator emits a fixed total at max
 *    speed; the clock runs from its first trade until the symbol actors' own counters (asked
 *    through the region) add up to the total. Zero loss = that sum equals what the simulator
 *    emitted, with no id gap seen by any actor.
 * 2. Trade → prediction latency at fixed rates (50 symbols, 2 s windows sliding 1 s, so ~50 bars
 *    close per second): each SilverBar carries the ingest time of the trade that closed it and
 *    the actor's emit time; percentiles over the bars read back from SILVER, warm-up excluded.
 *
 * Env: BENCH_PIPELINE_TRADES (default 600000), BENCH_PIPELINE_LATENCY_S (default 10),
 * BENCH_PIPELINE_ONLY=throughput|latency.
 */
import { pathToFileURL } from "node:url";
import type { LatencySummary } from "../src/web/server/latency.js";
import { waitFor } from "../test/helpers/wait.js";
import { describe, latencyBreakdown } from "./pipeline-latency.js";
import { cpuSeconds, startPipeline, type Pipeline } from "./pipeline-harness.js";

const TRADES = Number(process.env.BENCH_PIPELINE_TRADES ?? 600_000);
const LATENCY_SECONDS = Number(process.env.BENCH_PIPELINE_LATENCY_S ?? 10);
const ONLY = process.env.BENCH_PIPELINE_ONLY; // "throughput" | "latency" | unset (both)
const fmt = (n: number) => Math.round(n).toLocaleString("en");

interface Row {
  run: string;
  figure: string;
  notes: string;
}

async function partitionsRunning(p: Pipeline): Promise<void> {
  await waitFor(() => (p.market.status?.() as { region?: { partitionsRunning: number } } | undefined)?.region?.partitionsRunning === 32, { timeoutMs: 60_000, intervalMs: 100, what: "32 partitions running" });
}

/** Polls the actors' counters until they hold `total` trades; returns (time, folded) samples. */
async function foldAll(p: Pipeline, total: number, everyMs: number): Promise<Array<{ t: number; n: number }>> {
  const samples: Array<{ t: number; n: number }> = [];
  await waitFor(
    async () => {
      const { trades } = await p.folded();
      samples.push({ t: performance.now(), n: trades });
      return trades >= total;
    },
    { timeoutMs: 300_000, intervalMs: everyMs, what: `${fmt(total)} trades folded by the symbol actors` },
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
  const at = (q: number) => samples.find((s) => s.n >= q * total)!;
  const [a, b, c] = [at(0.2), at(0.8), at(0.99)];
  // With few samples (1,000 status asks per sample wait behind deep mailboxes) fall back to 20 % → end.
  const [from, to] = b.t > a.t ? [a, b] : [a, samples[samples.length - 1]!];
  const sustained = to.t > from.t ? (to.n - from.n) / ((to.t - from.t) / 1000) : NaN;
  const span = to === b ? "20→80 %" : "20 %→end";
  const lossless = folded.trades === sim.eventsEmitted && folded.gaps === 0 && folded.missing === 0;
  const perTrade = (s: number) => ((s * 1e6) / total).toFixed(1);
  return {
    run: `throughput, ${symbols} symbols, ${fmt(total)} trades at max rate`,
    figure: `${fmt(total / secs)} trades/s overall (${secs.toFixed(1)} s), ${Number.isNaN(sustained) ? "run too short for a sustained figure" : `${fmt(sustained)} trades/s sustained (${span})`}; first 20 % after ${((a.t - t0) / 1000).toFixed(1)} s, last 1 % took ${((t1 - c.t) / 1000).toFixed(1)} s`,
    notes:
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
  await waitFor(async () => ((p.market.status?.() as { region?: { logPending: number } }).region?.logPending ?? 1) === 0, { timeoutMs: 30_000, what: "log drained" });
  // Warm-up excluded: bars ending in the first 3 s (connections, first fetches, JIT).
  const b = await latencyBreakdown(p.nc, (bars) => Math.min(...bars.map((x) => x.windowEnd)) + 3000);
  const status = (p.market.status?.() as { tradeToBarLatencyMs: LatencySummary }).tradeToBarLatencyMs;
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
  const step = async (f: () => Promise<Row>) => {
    const row = await f();
    console.log(`  ${row.run}: ${row.figure}`);
    rows.push(row);
  };
  console.log("pipeline: simulator → ingest → TRADES → SymbolActors → SILVER (1 node in process, private nats-server, simulator in a child process)");
  if (ONLY !== "latency") {
    await step(() => throughput(10, TRADES));
    await step(() => throughput(1000, TRADES));
  }
  if (ONLY !== "throughput") {
    await step(() => latency(1_000, LATENCY_SECONDS));
    await step(() => latency(10_000, LATENCY_SECONDS));
  }
  console.log("\n| run | figure | notes |\n|---|---|---|");
  for (const r of rows) console.log(`| ${r.run} | ${r.figure} | ${r.notes} |`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
