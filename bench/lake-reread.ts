/**
 * Lake rereads as the ML watcher does them: every symbol's silver bars, read again and again
 * through one Lake, from a silver_bars table shaped like the live one at many symbols (one file per
 * symbol partition per commit). Issue 11: each read used to replay the Delta log from the last
 * checkpoint (a new DeltaTable per `lake.table()`); at 1,000 symbols hunted every 10 s that replay
 * took a fifth of the node's CPU and drove the heap to its limit. Prints ms per read and Delta log
 * objects read per read, for the shared table (what the node does) and for a fresh Lake per read
 * (what every read cost before the fix).
 * Run: npx tsx bench/lake-reread.ts   (REREAD_SYMBOLS=N, REREAD_ROUNDS=N: default 300 symbols, 19 commits)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Lake } from "../src/lake/lake.js";
import { LocalStorage } from "../src/lake/storage/local.js";
import { LakeSilverSource } from "../src/mlops/silver-source.js";
import { commitSilverRounds, countingLogReads } from "../test/lake/fixtures/silver-rounds.js";
import { phase, record } from "./runner/figures.js";

function positive(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer, got ${process.env[name]}`);
  return v;
}

async function hunt(label: string, symbols: readonly string[], sourceFor: () => LakeSilverSource, logReads: () => number): Promise<void> {
  const reads0 = logReads();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let bars = 0;
  for (const s of symbols) bars += (await sourceFor().bars(s)).length;
  const ms = performance.now() - t0;
  const perRead = ms / symbols.length;
  console.log(`${label}: ${symbols.length} reads (${bars} bars) in ${ms.toFixed(0)} ms = ${perRead.toFixed(2)} ms/read, ${((logReads() - reads0) / symbols.length).toFixed(2)} log objects/read, heap ${((process.memoryUsage().heapUsed - heap0) / 1e6).toFixed(0)} MB more`);
  record(`${label} ms/read`, perRead, "ms");
  record(`${label} log objects/read`, (logReads() - reads0) / symbols.length, "objects");
}

export async function run(): Promise<void> {
  const symbolCount = positive("REREAD_SYMBOLS", 300);
  const rounds = positive("REREAD_ROUNDS", 19);
  const dir = mkdtempSync(join(tmpdir(), "bench-lake-reread-"));
  try {
    const symbols = Array.from({ length: symbolCount }, (_, i) => `SYN${String(i).padStart(4, "0")}USDT`);
    phase(`commit ${rounds} rounds of ${symbolCount} bars`);
    const t0 = performance.now();
    await commitSilverRounds(new Lake(new LocalStorage(dir)), symbols, rounds);
    console.log(`silver_bars: ${rounds} commits of ${symbolCount} symbol files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    phase("hunt through one Lake (the node)");
    const shared = countingLogReads(new LocalStorage(dir));
    const source = new LakeSilverSource(new Lake(shared.storage));
    await hunt("shared lake, first hunt", symbols, () => source, shared.logReads);
    await hunt("shared lake, second hunt", symbols, () => source, shared.logReads);

    phase("hunt through a fresh Lake per read (before the fix)");
    const fresh = countingLogReads(new LocalStorage(dir));
    await hunt("fresh lake per read", symbols, () => new LakeSilverSource(new Lake(fresh.storage)), fresh.logReads);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
