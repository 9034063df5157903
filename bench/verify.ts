/**
 * Reconciliation figures: `verifyLake` over a TRADES log and a bronze table on disk holding
 * BENCH_VERIFY_TRADES trades (default 1M: 10 symbols, the BTCUSDT recording repeated with fresh
 * ids, 1,000 trades per log message) with one trade missing from bronze and one doubled.
 * Reports reconciled trades/s, then runs the same verification in a child whose heap is capped
 * far below what the trades would take (memory must not follow the trade count: ids live in
 * ranges, files are read one at a time). `npx tsx bench/verify.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Lake, LakeWriter, BRONZE_TRADES_APP_ID, bronzeTradesDefinition, bronzeTradesMapping } from "../src/lake/index.js";
import { encodeTradeBatch } from "../src/ingest/batch-codec.js";
import type { Trade } from "../src/market/trade.js";
import { verifyLake } from "../src/verify/index.js";
import { btcTrades } from "../test/market/fixtures.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";

const SYMBOLS = 10;

function symbolTrades(base: readonly Trade[], symbol: string, n: number): Trade[] {
  const span = base[base.length - 1]!.tradeTime - base[0]!.tradeTime + 1;
  const idSpan = base[base.length - 1]!.tradeId - base[0]!.tradeId + 1;
  const out: Trade[] = [];
  for (let k = 0; out.length < n; k++) for (const t of base) {
    if (out.length >= n) break;
    out.push({ ...t, symbol, tradeId: t.tradeId + k * idSpan, tradeTime: t.tradeTime + k * span, eventTime: t.eventTime + k * span });
  }
  return out;
}

export async function run(): Promise<void> {
  const total = Number(process.env.BENCH_VERIFY_TRADES ?? 1_000_000);
  const perSymbol = Math.floor(total / SYMBOLS);
  const base = btcTrades();
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const dir = mkdtempSync(join(tmpdir(), "bench-verify-"));
  try {
    const js = jetstream(nc);
    await (await jetstreamManager(nc)).streams.add({ name: "TRADES", subjects: ["md.trades.>"] });
    const lake = Lake.open(dir);
    const bronze = new LakeWriter<Trade>({ table: await lake.ensureTable(bronzeTradesDefinition), mapping: bronzeTradesMapping, appId: BRONZE_TRADES_APP_ID });
    phase(`seeding ${(perSymbol * SYMBOLS).toLocaleString("en")} trades`);
    let lost = -1;
    for (let s = 0; s < SYMBOLS; s++) {
      const trades = symbolTrades(base, `SYM${s}USDT`, perSymbol);
      for (let i = 0; i < trades.length; i += 1000) {
        const batch = trades.slice(i, i + 1000);
        const { seq } = await js.publish(`md.trades.${s}.SYM${s}USDT`, encodeTradeBatch(batch));
        const stored = s === 0 && i === 5000 ? ((lost = batch[7]!.tradeId), batch.filter((_, k) => k !== 7)) : s === 1 && i === 5000 ? [...batch, batch[3]!] : batch;
        bronze.add(stored, seq);
        if (bronze.pendingRows >= 50_000) await bronze.flush();
      }
    }
    await bronze.flush();

    phase("verifyLake");
    const t0 = performance.now();
    const report = await withDeadline("verifyLake", 600_000, verifyLake({ nc, lake }));
    const ms = performance.now() - t0;
    const t = report.totals;
    if (t.missingFromBronze !== 1 || t.duplicateIds !== 1 || report.tradeFindings[0]?.missingFromBronze.ranges[0]?.[0] !== lost) {
      throw new Error(`verify missed the planted defects: ${JSON.stringify(t)}`);
    }
    record(`verifyLake, ${t.logTrades.toLocaleString("en")} trades in ${SYMBOLS} symbols (log + bronze on disk)`, t.logTrades / (ms / 1000), "trades/s", `${(ms / 1000).toFixed(1)} s, ${t.barsExpected.toLocaleString("en")} windows replayed`);
    console.log(`verifyLake: ${t.logTrades.toLocaleString()} trades in ${(ms / 1000).toFixed(1)} s = ${Math.round(t.logTrades / (ms / 1000)).toLocaleString()} trades/s; status ${report.status} (1 lost, 1 doubled found)`);

    // Memory: the same verification in a process whose heap cannot hold the trades.
    phase(`verifyLake under a ${HEAP_LIMIT_MB} MiB heap limit`);
    const child = await withDeadline("verifyLake in a heap-limited child", 600_000, verifyInChild(nats.url, dir));
    if (child.logTrades !== t.logTrades || child.missingFromBronze !== 1) throw new Error(`the heap-limited run differs: ${JSON.stringify(child)}`);
    record(`verifyLake, ${t.logTrades.toLocaleString("en")} trades, --max-old-space-size=${HEAP_LIMIT_MB}`, child.peakRssMiB, "MiB peak RSS", "completed with the same findings");
    console.log(`verifyLake with --max-old-space-size=${HEAP_LIMIT_MB}: same ${child.logTrades.toLocaleString()} trades and findings, peak RSS ${child.peakRssMiB.toFixed(0)} MiB`);
  } finally {
    await nc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const HEAP_LIMIT_MB = 64;

async function verifyInChild(natsUrl: string, lakeDir: string): Promise<{ logTrades: number; missingFromBronze: number; peakRssMiB: number }> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, "--import", "tsx", fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_VERIFY_CHILD: "1", BENCH_VERIFY_NATS: natsUrl, BENCH_VERIFY_LAKE: lakeDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`the heap-limited verifyLake exited with ${code}: ${out}`);
  return JSON.parse(out.trim().split("\n").pop()!) as { logTrades: number; missingFromBronze: number; peakRssMiB: number };
}

/** Child mode: one verification, its totals and peak RSS as a JSON line. */
async function child(): Promise<void> {
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const nc = await connect({ servers: process.env.BENCH_VERIFY_NATS! });
  const report = await verifyLake({ nc, lake: Lake.open(process.env.BENCH_VERIFY_LAKE!) });
  await nc.close();
  clearInterval(sampler);
  console.log(JSON.stringify({ logTrades: report.totals.logTrades, missingFromBronze: report.totals.missingFromBronze, peakRssMiB: peak / 2 ** 20 }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await (process.env.BENCH_VERIFY_CHILD ? child() : run());
