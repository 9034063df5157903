/**
 * Serving writer throughput: silver bars upserted in batches (one transaction per batch, one
 * `INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE` per table) into PostgreSQL (the
 * machine's server, a throw-away schema) and into PGlite (in memory). "insert" writes new keys,
 * "replay" rewrites the same keys (the conflict/update path a log replay takes). Then the full
 * path JetStream (private nats-server) → runServingConsumer → PostgreSQL, and the gold transform
 * over the real XRP/ETH trades (12,477 aggTrades, 2.5 days) on both backends.
 */
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { insertTrades, migrate, openDatabase, runServingConsumer, runTransform, ServingWriter, type Database } from "../src/db/index.js";
import { type SilverBarRow } from "../src/contracts/silver-bar.js";
import { loadFreqtradeTrades } from "../test/db/freqtrade.js";
import { makeBar } from "../test/db/serving-rows.js";
import { barMessage } from "../test/db/serving-rows.js";
import { randomSchema, TEST_DATABASE_URL } from "../test/db/fixtures.js";
import { startNatsWithStreams } from "../test/helpers/nats-streams.js";
import { pollUntil } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";
import { describeJetStream } from "./runner/jetstream-waiting.js";

const PG_ROWS = Number(process.env.BENCH_DB_PG_ROWS ?? 60_000);
const PGLITE_ROWS = Number(process.env.BENCH_DB_PGLITE_ROWS ?? 30_000);
const E2E_ROWS = Number(process.env.BENCH_DB_E2E_ROWS ?? 20_000);
const SYMBOLS = ["BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT"];

function bars(n: number): SilverBarRow[] {
  return Array.from({ length: n }, (_, i) => makeBar(SYMBOLS[i % SYMBOLS.length]!, Math.floor(i / SYMBOLS.length)));
}

async function timeWrites(db: Database, rows: SilverBarRow[], batch: number): Promise<number> {
  const writer = new ServingWriter(db);
  const t0 = performance.now();
  for (let i = 0; i < rows.length; i += batch) {
    const outcome = await writer.write({ bars: rows.slice(i, i + batch), candles: [] });
    if (outcome.type !== "written") throw outcome.error;
  }
  return rows.length / ((performance.now() - t0) / 1000);
}

async function measure(label: string, db: Database, n: number): Promise<void> {
  await migrate(db);
  for (const batch of [100, 1000, 5000]) {
    await db.exec("TRUNCATE silver_bars");
    const rows = bars(n);
    const insert = await timeWrites(db, rows, batch);
    const replay = await timeWrites(db, rows, batch);
    const { rows: count } = await db.query<{ n: number }>("SELECT count(*) AS n FROM silver_bars");
    if (count[0]!.n !== n) throw new Error(`expected ${n} rows, found ${count[0]!.n}`);
    record(`serving upserts into ${label}, new keys, batches of ${batch.toLocaleString("en")}`, insert, "rows/s", `${n.toLocaleString("en")} bars`);
    record(`serving upserts into ${label}, replay over existing keys, batches of ${batch.toLocaleString("en")}`, replay, "rows/s", `${n.toLocaleString("en")} bars`);
    console.log(`db ${label.padEnd(8)} batch ${String(batch).padStart(5)}: insert ${Math.round(insert).toLocaleString("en")} rows/s, replay (upsert over existing) ${Math.round(replay).toLocaleString("en")} rows/s  (${n.toLocaleString("en")} bars)`);
  }
}

async function endToEnd(db: Database, n: number): Promise<void> {
  await migrate(db);
  await using nats = await startNatsWithStreams([
    { name: "SILVER", subjects: ["silver.>"] },
    { name: "CANDLES", subjects: ["candles.>"] },
  ]);
  const { nc, js } = nats;
  const rows = bars(n);
  await Promise.all(rows.map((r) => js.publish(`silver.${r.symbol}`, JSON.stringify(barMessage(r)))));
  const stop = new AbortController();
  const t0 = performance.now();
  const consumer = runServingConsumer(js, { writer: new ServingWriter(db), signal: stop.signal, batchSize: 1000 });
  const count = async () => (await db.query<{ n: number }>("SELECT count(*) AS n FROM silver_bars")).rows[0]!.n;
  await pollUntil(`all ${n.toLocaleString("en")} bars in silver_bars`, 120_000, async () => (await count()) === n, async () => `${await count()} rows in silver_bars\n${await describeJetStream(nc)}`, { intervalMs: 25 });
  const seconds = (performance.now() - t0) / 1000;
  stop.abort();
  await consumer;
  record("JetStream → serving consumer → PostgreSQL, batch 1,000", n / seconds, "bars/s", `${n.toLocaleString("en")} bars: decode + write + ack`);
  console.log(`db e2e JetStream → consumer → postgres, batch 1000: ${Math.round(n / seconds).toLocaleString("en")} bars/s (${n.toLocaleString("en")} bars, ${seconds.toFixed(2)} s, decode + write + ack)`);
}

async function transform(label: string, db: Database): Promise<void> {
  await migrate(db);
  const trades = loadFreqtradeTrades();
  let t0 = performance.now();
  await insertTrades(db, trades);
  const load = performance.now() - t0;
  t0 = performance.now();
  const full = await runTransform(db, { fullRefresh: true });
  const fullMs = performance.now() - t0;
  t0 = performance.now();
  const incr = await runTransform(db);
  const incrMs = performance.now() - t0;
  if (full.models.some((m) => m.status !== "success")) throw new Error("transform failed");
  record(`gold transform on ${label}, full run`, fullMs, "ms", `${trades.length.toLocaleString("en")} trades, ${full.models.length} models, ${full.tests.length} data tests`);
  record(`gold transform on ${label}, incremental run`, incrMs, "ms");
  const per = (r: typeof full) => r.models.map((m) => `${m.model} ${m.durationMs} ms`).join(", ");
  console.log(`db ${label.padEnd(8)} gold: load ${trades.length.toLocaleString("en")} trades ${Math.round(load)} ms; full run ${Math.round(fullMs)} ms (${per(full)}; ${full.tests.length} tests); incremental run ${Math.round(incrMs)} ms (${per(incr)})`);
}

export async function run(): Promise<void> {
  for (const target of ["postgres", "pglite", "e2e", "gold-postgres", "gold-pglite"] as const) {
    phase(target);
    const schema = randomSchema("bench");
    const db = target.endsWith("pglite") ? await openDatabase({}) : await openDatabase({ url: TEST_DATABASE_URL, schema });
    try {
      if (target === "e2e") await endToEnd(db, E2E_ROWS);
      else if (target === "gold-postgres") await transform("postgres", db);
      else if (target === "gold-pglite") await transform("pglite", db);
      else await measure(target, db, target === "postgres" ? PG_ROWS : PGLITE_ROWS);
    } finally {
      if (db.kind === "postgres") await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await db.close();
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
