/**
 * Lake benchmark: bronze-trade Parquet writers and readers on our own rows, plus the whole
 * LakeWriter path (encode + write + Delta commit) on local disk. Prints rows/s and bytes/row.
 * Run: npx tsx bench/lake.ts   (LAKE_BENCH_ROWS=N to change the 200,000-row default)
 */
import { mkdtempSync, rmSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { DuckDBInstance, DuckDBTimestampTZValue } from "@duckdb/node-api";
import type { Trade } from "../src/market/trade.js";
import { bronzeTradesDefinition, bronzeTradesMapping } from "../src/lake/tables/bronze-trades.js";
import { encodeParquet } from "../src/lake/parquet/encode.js";
import { writeFlatParquet } from "./lake-flat-writer.js";
import { decodeParquet } from "../src/lake/parquet/decode.js";
import { Lake } from "../src/lake/lake.js";
import { LakeWriter } from "../src/lake/writer/lake-writer.js";
import { decodeTrades, runLakeConsumer } from "../src/lake/writer/jetstream.js";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { sharedData } from "../test/helpers/shared-data.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";
import { describeJetStream } from "./runner/jetstream-waiting.js";

const RECORDING = sharedData("binance-recorded/btcusdt-trade-stream_2024-08-08T2354Z_2024-08-09T0005Z.jsonl");

/** Real recorded trades, repeated with fresh ids and shifted times up to `n` rows. */
function benchTrades(n: number, symbols = ["BTCUSDT"]): Trade[] {
  const base = readFileSync(RECORDING, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { data: { E: number; t: number; p: string; q: string; T: number; m: boolean } }).data);
  const span = base[base.length - 1]!.T - base[0]!.T + 1;
  return Array.from({ length: n }, (_, i) => {
    const d = base[i % base.length]!;
    const lap = Math.floor(i / base.length);
    return {
      source: "binance",
      symbol: symbols[i % symbols.length]!,
      tradeId: d.t + lap * base.length,
      price: Number(d.p),
      quantity: Number(d.q),
      priceText: d.p,
      quantityText: d.q,
      tradeTime: d.T + lap * span,
      eventTime: d.E + lap * span,
      ingestTime: d.E + lap * span + 3,
      buyerIsMaker: d.m,
    };
  });
}

interface Figure {
  candidate: string;
  writeRowsPerSec: number;
  readRowsPerSec?: number;
  bytesPerRow: number;
  /** Peak resident set size of a fresh process that ran only this candidate. */
  peakRssMB?: number;
  note?: string;
}

const dataColumns = bronzeTradesDefinition.columns.filter((c) => !bronzeTradesDefinition.partitionColumns.includes(c.name));

async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function benchOurs(trades: Trade[]): Promise<Figure> {
  encodeParquet(dataColumns, bronzeTradesMapping.toColumns(trades.slice(0, 5000))); // warm-up
  const w = await timeIt(() => encodeParquet(dataColumns, bronzeTradesMapping.toColumns(trades)));
  const r = await timeIt(() => decodeParquet(w.value));
  if (r.value.length !== trades.length) throw new Error("read-back row count differs");
  return {
    candidate: "hyparquet-writer (lake path: toColumns + encodeParquet), read with hyparquet",
    writeRowsPerSec: trades.length / (w.ms / 1000),
    readRowsPerSec: trades.length / (r.ms / 1000),
    bytesPerRow: w.value.byteLength / trades.length,
  };
}

/** The hand-written candidate (bench/lake-flat-writer.ts), read back with hyparquet. */
async function benchFlat(trades: Trade[]): Promise<Figure> {
  writeFlatParquet(dataColumns, bronzeTradesMapping.toColumns(trades.slice(0, 5000))); // warm-up
  const w = await timeIt(() => writeFlatParquet(dataColumns, bronzeTradesMapping.toColumns(trades)));
  const r = await timeIt(() => decodeParquet(w.value));
  if (r.value.length !== trades.length || r.value[trades.length - 1]!.trade_id !== trades[trades.length - 1]!.tradeId) {
    throw new Error("flat writer read-back differs");
  }
  return {
    candidate: "hand-written flat writer (bench/lake-flat-writer.ts), read with hyparquet",
    writeRowsPerSec: trades.length / (w.ms / 1000),
    readRowsPerSec: trades.length / (r.ms / 1000),
    bytesPerRow: w.value.byteLength / trades.length,
  };
}

interface ParquetJs {
  ParquetSchema: new (s: Record<string, unknown>) => unknown;
  ParquetWriter: { openFile(schema: unknown, path: string): Promise<{ appendRow(r: unknown): Promise<void>; close(): Promise<void> }> };
}

async function benchParquetjs(trades: Trade[], dir: string): Promise<Figure> {
  const parquet = createRequire(import.meta.url)("parquetjs-lite") as ParquetJs;
  const c = (type: string) => ({ type, compression: "SNAPPY" });
  const schema = new parquet.ParquetSchema({
    trade_id: c("INT64"),
    price: c("DOUBLE"),
    quantity: c("DOUBLE"),
    price_text: c("UTF8"),
    quantity_text: c("UTF8"),
    trade_time: c("TIMESTAMP_MILLIS"),
    event_time: c("TIMESTAMP_MILLIS"),
    ingest_time: c("TIMESTAMP_MILLIS"),
    buyer_is_maker: c("BOOLEAN"),
  });
  const path = join(dir, "parquetjs.parquet");
  const w = await timeIt(async () => {
    const writer = await parquet.ParquetWriter.openFile(schema, path);
    for (const t of trades) {
      await writer.appendRow({
        trade_id: t.tradeId,
        price: t.price,
        quantity: t.quantity,
        price_text: t.priceText,
        quantity_text: t.quantityText,
        trade_time: new Date(t.tradeTime),
        event_time: new Date(t.eventTime),
        ingest_time: new Date(t.ingestTime),
        buyer_is_maker: t.buyerIsMaker,
      });
    }
    await writer.close();
  });
  // parquetjs-lite 0.8.7 cannot open its own file here (its reader throws on the BigInt INT64
  // statistics), so its output is read back with hyparquet.
  const r = await timeIt(async () => (await decodeParquet(new Uint8Array(readFileSync(path)))).length);
  if (r.value !== trades.length) throw new Error("parquetjs read-back row count differs");
  return {
    candidate: "parquetjs-lite (row by row), read with hyparquet",
    writeRowsPerSec: trades.length / (w.ms / 1000),
    readRowsPerSec: trades.length / (r.ms / 1000),
    bytesPerRow: statSync(path).size / trades.length,
  };
}

async function benchDuckdb(trades: Trade[], dir: string): Promise<Figure> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE TABLE t (trade_id BIGINT, price DOUBLE, quantity DOUBLE, price_text VARCHAR, quantity_text VARCHAR,
      trade_time TIMESTAMPTZ, event_time TIMESTAMPTZ, ingest_time TIMESTAMPTZ, buyer_is_maker BOOLEAN)`);
    const load = await timeIt(async () => {
      const app = await conn.createAppender("t");
      for (const t of trades) {
        app.appendBigInt(BigInt(t.tradeId));
        app.appendDouble(t.price);
        app.appendDouble(t.quantity);
        app.appendVarchar(t.priceText);
        app.appendVarchar(t.quantityText);
        app.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(t.tradeTime) * 1000n));
        app.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(t.eventTime) * 1000n));
        app.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(t.ingestTime) * 1000n));
        app.appendBoolean(t.buyerIsMaker);
        app.endRow();
      }
      app.closeSync();
    });
    const path = join(dir, "duckdb.parquet");
    const copy = await timeIt(() => conn.run(`COPY t TO '${path}' (FORMAT parquet, COMPRESSION snappy)`));
    // Touch every column so the read is not answered from the footer's row count.
    const read = await timeIt(() =>
      conn.runAndReadAll(`SELECT sum(trade_id), sum(price), sum(quantity), max(price_text), max(quantity_text), max(trade_time), max(event_time), max(ingest_time), bool_or(buyer_is_maker) FROM read_parquet('${path}')`),
    );
    return {
      candidate: "DuckDB COPY ... TO (native; ratio to beat)",
      writeRowsPerSec: trades.length / (copy.ms / 1000),
      readRowsPerSec: trades.length / (read.ms / 1000),
      bytesPerRow: statSync(path).size / trades.length,
      note: `loading the rows through the appender first: ${Math.round(trades.length / ((load.ms + copy.ms) / 1000)).toLocaleString("en-US")} rows/s end to end`,
    };
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** The whole bronze path: LakeWriter.add + flush (encode, write files, commit a Delta version) on disk. */
async function benchLakeWriter(trades: Trade[], dir: string, name = "lake"): Promise<Figure> {
  const lake = Lake.open(join(dir, name));
  const table = await lake.ensureTable(bronzeTradesDefinition);
  const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bench", maxRows: 50_000 });
  const batch = 1000;
  const w = await timeIt(async () => {
    for (let i = 0, seq = 1; i < trades.length; i += batch, seq++) {
      writer.add(trades.slice(i, i + batch), seq);
      if (writer.pendingRows >= writer.maxRows) await writer.flush();
    }
    await writer.flush();
  });
  const snap = await table.snapshot();
  const bytes = [...snap.files.values()].reduce((n, f) => n + f.size, 0);
  const r = await timeIt(() => table.read());
  if (r.value.length !== trades.length) throw new Error("lake read-back row count differs");
  return {
    candidate: `LakeWriter → disk (4 symbols, 50k-row flushes, ${snap.version} commits), read via DeltaTable.read`,
    writeRowsPerSec: trades.length / (w.ms / 1000),
    readRowsPerSec: trades.length / (r.ms / 1000),
    bytesPerRow: bytes / trades.length,
  };
}

/** The median of `runs` repetitions (by write speed): the machine is shared, single runs are noisy. */
async function median(runs: number, once: () => Promise<Figure>): Promise<Figure> {
  const all: Figure[] = [];
  for (let i = 0; i < runs; i++) all.push(await once());
  all.sort((a, b) => a.writeRowsPerSec - b.writeRowsPerSec);
  const mid = all[Math.floor(all.length / 2)]!;
  return runs > 1 ? { ...mid, candidate: `${mid.candidate} [median of ${runs}]` } : mid;
}

function print(figures: Figure[]): void {
  const fmt = (n: number | undefined) => (n === undefined ? "-" : Math.round(n).toLocaleString("en-US"));
  console.log("| candidate | write rows/s | read rows/s | bytes/row | peak RSS MB |");
  console.log("|---|---:|---:|---:|---:|");
  for (const f of figures) {
    console.log(`| ${f.candidate} | ${fmt(f.writeRowsPerSec)} | ${fmt(f.readRowsPerSec)} | ${f.bytesPerRow.toFixed(2)} | ${fmt(f.peakRssMB)} |`);
    if (f.note) console.log(`|  ↳ ${f.note} | | | | |`);
  }
}

/** One candidate's process (3 runs of 200k rows, parquetjs-lite's ~10 s included) ends well within this. */
const CANDIDATE_DEADLINE_MS = 10 * 60_000;

type Candidate = "hyparquet-writer" | "flat-writer" | "parquetjs-lite" | "duckdb" | "lake-writer" | "jetstream-batched" | "jetstream-single";
const CANDIDATES: Candidate[] = ["hyparquet-writer", "flat-writer", "parquetjs-lite", "duckdb", "lake-writer", "jetstream-batched", "jetstream-single"];

/**
 * The live path end to end: trades already in a JetStream stream (private nats-server), consumed by
 * runLakeConsumer into a LakeWriter on disk; rows/s from start until the table's txn covers the stream.
 */
async function benchJetStream(trades: Trade[], dir: string, perMessage: number): Promise<Figure> {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const stop = new AbortController();
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "TRADES", subjects: ["md.trades.>"] });
    const js = jetstream(nc);
    let lastSeq = 0;
    const pubs: Promise<unknown>[] = [];
    for (let i = 0; i < trades.length; i += perMessage) {
      const chunk = trades.slice(i, i + perMessage);
      pubs.push(js.publish("md.trades.0.BTCUSDT", JSON.stringify(perMessage === 1 ? chunk[0] : chunk)));
      lastSeq++;
      if (pubs.length >= 2000) await Promise.all(pubs.splice(0));
    }
    await Promise.all(pubs);
    const lake = Lake.open(join(dir, `js${perMessage}`));
    const table = await lake.ensureTable(bronzeTradesDefinition);
    const writer = new LakeWriter({ table, mapping: bronzeTradesMapping, appId: "bench" });
    const t0 = performance.now();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const run = runLakeConsumer({
      js,
      jsm,
      stream: "TRADES",
      durable: "bench",
      writer,
      decode: decodeTrades,
      signal: stop.signal,
      batchSize: perMessage === 1 ? 5000 : 500,
      onCommit: (r) => {
        if (r.lastLogSeq === lastSeq) done();
      },
    });
    await withDeadline(`the lake table to commit up to log sequence ${lastSeq}`, 300_000, finished, async () => `writer holds ${writer.pendingRows} rows not yet committed\n${await describeJetStream(nc)}`);
    const ms = performance.now() - t0;
    stop.abort();
    await run;
    const snap = await table.snapshot();
    const bytes = [...snap.files.values()].reduce((n, f) => n + f.size, 0);
    return {
      candidate: `JetStream → runLakeConsumer → LakeWriter → disk, ${perMessage === 1 ? "one Trade per message" : `${perMessage} Trades per message`} (${snap.version} commits)`,
      writeRowsPerSec: trades.length / (ms / 1000),
      bytesPerRow: bytes / trades.length,
    };
  } finally {
    stop.abort();
    await nc.close();
    await nats[Symbol.asyncDispose]();
  }
}

/** Runs one candidate in this process (the child side). */
async function runCandidate(candidate: Candidate, n: number, runs: number): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), "lake-bench-"));
  try {
    const trades = benchTrades(n);
    switch (candidate) {
      case "hyparquet-writer":
        return await median(runs, () => benchOurs(trades));
      case "flat-writer":
        return await median(runs, () => benchFlat(trades));
      case "parquetjs-lite":
        return await benchParquetjs(trades, dir); // ~10 s a run: once is enough to see the gap
      case "duckdb":
        return await median(runs, () => benchDuckdb(trades, dir));
      case "lake-writer": {
        const fourSymbols = benchTrades(n, ["BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"]);
        await benchLakeWriter(fourSymbols.slice(0, 60_000), dir, "warm-up"); // JIT warm-up, not reported
        let k = 0;
        return await median(runs, () => benchLakeWriter(fourSymbols, dir, `lake${k++}`));
      }
      case "jetstream-batched":
        return await benchJetStream(trades, dir, 100);
      case "jetstream-single":
        return await benchJetStream(trades.slice(0, Math.min(n, 100_000)), dir, 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const n = Number(process.env.LAKE_BENCH_ROWS ?? 200_000);
  const runs = Number(process.env.LAKE_BENCH_RUNS ?? 3);
  console.log(`lake bench: ${n.toLocaleString("en-US")} bronze trade rows (9 data columns, snappy, one process per candidate)`);
  const figures: Figure[] = [];
  // One fresh process per candidate, so each one's peak memory is its own.
  for (const candidate of CANDIDATES) {
    phase(`candidate ${candidate} (its own process)`);
    const out = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--candidate", candidate], {
      encoding: "utf8",
      env: { ...process.env, LAKE_BENCH_ROWS: String(n), LAKE_BENCH_RUNS: String(runs) },
      maxBuffer: 1 << 20,
      timeout: CANDIDATE_DEADLINE_MS,
      killSignal: "SIGKILL",
    });
    const line = out.stdout.split("\n").find((l) => l.startsWith("{"));
    if (out.error) throw new Error(`bench candidate ${candidate}: ${out.error.message} (deadline ${CANDIDATE_DEADLINE_MS / 1000} s); its output: ${out.stdout}${out.stderr}`);
    if (out.status !== 0 || !line) throw new Error(`bench candidate ${candidate} failed: ${out.stderr}`);
    figures.push(JSON.parse(line) as Figure);
  }
  print(figures);
  for (const f of figures) {
    const note = `${f.bytesPerRow.toFixed(2)} bytes/row${f.peakRssMB === undefined ? "" : `, peak RSS ${Math.round(f.peakRssMB)} MB`}`;
    record(`write: ${f.candidate}`, f.writeRowsPerSec, "rows/s", f.note ? `${note}; ${f.note}` : note);
    if (f.readRowsPerSec !== undefined) record(`read: ${f.candidate}`, f.readRowsPerSec, "rows/s");
  }
}

async function main(): Promise<void> {
  const i = process.argv.indexOf("--candidate");
  if (i < 0) return run();
  const candidate = process.argv[i + 1] as Candidate;
  if (!CANDIDATES.includes(candidate)) throw new Error(`unknown candidate ${candidate}`);
  const figure = await runCandidate(candidate, Number(process.env.LAKE_BENCH_ROWS ?? 200_000), Number(process.env.LAKE_BENCH_RUNS ?? 3));
  figure.peakRssMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(figure));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
