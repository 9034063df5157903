/**
 * Quality gate figures: pure check throughput over bronze trades and silver bars (the BTCUSDT
 * recording repeated with fresh ids), and a whole audit run over a disk lake (read + checks +
 * quarantine commit). `npx tsx bench/quality.ts`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Lake } from "../src/lake/index.js";
import type { Trade } from "../src/market/trade.js";
import { createLogger } from "../src/runtime/log.js";
import { DEFAULT_QUALITY_OPTIONS, runAudit, runChecks } from "../src/quality/index.js";
import { btcTrades } from "../test/market/fixtures.js";
import { silverBarsOf, writeBronzeAndSilver } from "../test/quality/fixtures.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";

function repeated(base: readonly Trade[], n: number): Trade[] {
  const span = base[base.length - 1]!.tradeTime - base[0]!.tradeTime + 1;
  const idSpan = base[base.length - 1]!.tradeId - base[0]!.tradeId + 1;
  const out: Trade[] = [];
  for (let k = 0; out.length < n; k++) for (const t of base) {
    if (out.length >= n) break;
    out.push({ ...t, tradeId: t.tradeId + k * idSpan, tradeTime: t.tradeTime + k * span, eventTime: t.eventTime + k * span });
  }
  return out;
}

export async function run(): Promise<void> {
  const base = btcTrades();
  const trades = repeated(base, 1_000_000);
  const bars = silverBarsOf("BTCUSDT", trades.slice(0, 200_000));
  const now = trades[trades.length - 1]!.tradeTime + 1_000;
  phase("pure checks");
  runChecks({ trades: trades.slice(0, 50_000) }, DEFAULT_QUALITY_OPTIONS, now); // warm-up
  let t0 = performance.now();
  const results = runChecks({ trades, subscribed: ["BTCUSDT"] }, DEFAULT_QUALITY_OPTIONS, now);
  let ms = performance.now() - t0;
  record("bronze checks (pure), 1M trades", trades.length / (ms / 1000), "rows/s");
  console.log(`bronze checks: ${trades.length.toLocaleString()} trades in ${ms.toFixed(0)} ms = ${Math.round(trades.length / (ms / 1000)).toLocaleString()} rows/s (${results.map((r) => `${r.name}:${r.status}`).join(" ")})`);
  const manyBars = Array.from({ length: 50 }, (_, k) => bars.map((b) => ({ ...b, symbol: `S${k}` }))).flat();
  t0 = performance.now();
  runChecks({ bars: manyBars }, DEFAULT_QUALITY_OPTIONS, now);
  ms = performance.now() - t0;
  record(`silver checks (pure), ${manyBars.length.toLocaleString("en")} bars`, manyBars.length / (ms / 1000), "rows/s");
  console.log(`silver checks: ${manyBars.length.toLocaleString()} bars in ${ms.toFixed(0)} ms = ${Math.round(manyBars.length / (ms / 1000)).toLocaleString()} rows/s`);

  const dir = mkdtempSync(join(tmpdir(), "bench-quality-"));
  try {
    const lake = Lake.open(dir);
    const lakeTrades = trades.slice(0, 200_000);
    lakeTrades[1000]!.price = 0;
    await writeBronzeAndSilver(lake, lakeTrades, bars, "bench");
    const log = createLogger({ node: "bench", level: "error", write: () => {} });
    phase("audit run on a disk lake");
    t0 = performance.now();
    const report = await withDeadline("the audit run", 300_000, runAudit({ lake, log, now: () => lakeTrades[lakeTrades.length - 1]!.tradeTime + 1_000, subscribed: () => ["BTCUSDT"], options: DEFAULT_QUALITY_OPTIONS }, { trigger: "bench", sinceMs: null }));
    ms = performance.now() - t0;
    record("audit run on a disk lake (read + checks + quarantine commit)", ms, "ms", `${report.rowsChecked.toLocaleString("en")} rows, status ${report.status}, ${report.quarantined} quarantined`);
    console.log(`audit run on a disk lake: ${report.rowsChecked.toLocaleString()} rows (200,000 trades + ${bars.length} bars) in ${ms.toFixed(0)} ms, status ${report.status}, ${report.quarantined} quarantined`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
