/**
 * npm run import -- <file.csv|.csv.gz|.zip> [--symbol BTCUSDT] [--source binance] [--event-time-only] [--nats URL] [--partitions 32] [--spool DIR] [--lake-uri URI]
 *   Binance historical trades CSV (plain, gzip or zip): checked whole, then history older than the
 *   symbol's live data backfilled into bars and candles, the rest into the trade log with the log's
 *   de-dup, then an end-of-stream mark so the symbol's last windows and candle close (not with
 *   --event-time-only, nor when every trade was already in the log). --lake-uri (or LAKE_URI) lets
 *   it find live bars older than the log.
 * npm run import -- <SYMBOL>-<interval>-<date>.csv|.zip [--symbol S] [--klines] [--nats URL]
 *   Binance klines (told by the file name, or --klines): a record per kline into the CUSTOM log, source binance, data type klines.
 * npm run import -- <file.jsonl|file.csv[.gz|.zip]> --source <source> --type <data_type> [--format jsonl|csv] [--nats URL]
 *   A custom source's records (JSON Lines, or CSV with a header row) into the CUSTOM log, as a NATS client sends them.
 * The same pipeline as the Data page's upload (src/imports). Progress (share of bytes, rows, rows/s,
 * ETA) on stderr every second, then a summary.
 */
import { basename } from "node:path";
import { connectCliNats } from "./nats.js";
import { ensureIngestStreams } from "../ingest/bootstrap.js";
import { symbolFromFileName } from "../ingest/csv-import.js";
import { parseArgs } from "./args.js";
import { formatImportProgress } from "../ingest/import-file.js";
import { ensureCustomStreams } from "../custom/streams.js";
import { klinesFileName } from "../market/binance-klines.js";
import { Lake } from "../lake/lake.js";
import { lakeConfigFromConfig } from "../lake/config.js";
import { loadConfig } from "../config/index.js";
import { runFileImport, type ImportRequest, type ImportResult } from "../imports/file-import.js";

const USAGE =
  "usage: npm run import -- <file.csv | file.csv.gz | file.zip> [--symbol BTCUSDT] [--source binance] [--event-time-only] [--nats URL]\n" +
  "       npm run import -- <SYMBOL>-<interval>-<date>.zip [--klines] [--symbol BTCUSDT] [--nats URL]\n" +
  "       npm run import -- <file.jsonl | file.csv> --source <source> --type <data_type> [--format jsonl|csv] [--nats URL]";

/** What the flags and the file's name ask for. */
function requestOf(file: string, flags: Map<string, string>): ImportRequest {
  const name = basename(file);
  if (flags.has("type")) {
    const source = flags.get("source");
    if (source === undefined) throw new Error("a custom import needs --source <source> with --type <data_type>");
    const format = flags.get("format");
    if (format !== undefined && format !== "jsonl" && format !== "csv") throw new Error(`--format must be jsonl or csv, not "${format}"`);
    const jsonl = format === "jsonl" || (format === undefined && /\.(jsonl|ndjson)(\.gz|\.zip)?$/i.test(file));
    return { kind: jsonl ? "custom-jsonl" : "custom-csv", name, source, dataType: flags.get("type")! };
  }
  const klines = klinesFileName(file);
  if (klines !== null || flags.has("klines")) {
    const symbol = (flags.get("symbol") ?? klines?.symbol)?.toUpperCase();
    if (!symbol) throw new Error(`no --symbol given and none in the file name "${file}" (expected <SYMBOL>-<interval>-<date>.csv)`);
    return { kind: "binance-klines", name, symbol };
  }
  const symbol = (flags.get("symbol") ?? symbolFromFileName(file))?.toUpperCase();
  if (!symbol) throw new Error(`no --symbol given and none in the file name "${file}" (expected <SYMBOL>-trades-<date>.csv)`);
  return { kind: "binance-trades", name, symbol, source: flags.get("source") ?? "binance" };
}

function summary(file: string, r: ImportRequest, s: ImportResult): string[] {
  const secs = s.seconds.toFixed(1);
  if (r.kind !== "binance-trades") {
    const target = r.kind === "binance-klines" ? "ingest.binance.klines" : `ingest.${r.source}.${r.dataType}`;
    return [
      `imported ${file} (${r.kind.replace(/^custom-/, "")}) to ${target} in ${secs} s: rows ${s.rows}, records published ${s.accepted} in ${s.messages} messages (${s.duplicates} already in the log), not records ${s.invalid}`,
      ...s.firstErrors.map((e) => `  line ${e.line}: ${e.message}`),
      "the custom router checks each record: refused ones go to dlq.<reason> (the Control page's log browser shows them)",
    ];
  }
  const source = r.source ?? "binance";
  const lines = [
    `imported ${file} as ${source}:${r.symbol} in ${secs} s: rows ${s.rows}, trades published ${s.accepted}, duplicates dropped ${s.duplicates}, gaps ${s.gaps} (${s.missingTrades} ids missing), invalid rows ${s.invalid}${s.endOfStream ? ", end of stream logged (the last windows close)" : ""}`,
  ];
  const b = s.backfilled;
  if (b) lines.push(`backfilled ${b.trades} trades older than ${source}:${r.symbol}'s live data (from ${new Date(b.before).toISOString()}) into ${b.bars} bars and ${b.candles} candles`);
  if (s.duplicates > 0) {
    lines.push(`note: a trade is a duplicate when its id is at or below the last id the log holds for ${source}:${r.symbol} and it is not older than the symbol's live data (then it is backfilled)`);
  }
  return lines;
}

async function main(): Promise<void> {
  const { positionals, flags } = parseArgs(process.argv.slice(2));
  const file = positionals[0];
  if (file === undefined) throw new Error(USAGE);
  const request = requestOf(file, flags);
  const nc = await connectCliNats(flags.get("nats"), "file-import");
  if (request.kind === "binance-trades") await ensureIngestStreams(nc);
  else await ensureCustomStreams(nc);
  // The node's settings from the environment (WINDOW_*, S3_*), as the node reads them.
  const config = loadConfig([], process.env);
  const lakeUri = flags.get("lake-uri") ?? process.env.LAKE_URI;
  const lake = lakeUri ? lakeConfigFromConfig({ ...config, lakeUri }) : undefined;
  try {
    const result = await runFileImport(
      { path: file, request },
      {
        nc,
        partitions: Number(flags.get("partitions") ?? 32),
        spoolDir: flags.get("spool") ?? "./data/spool",
        windows: { sizeMs: config.windowSizeMs, slideMs: config.windowSlideMs, allowedLatenessMs: config.allowedLatenessMs },
        ...(lake ? { lake: Lake.open(lake.uri, lake.s3) } : {}),
        endOfStream: !flags.has("event-time-only"),
      },
      (phase, p) => console.error(`… ${formatImportProgress(p)} · ${phase}`),
    );
    for (const line of summary(file, request, result)) console.log(line);
  } finally {
    await nc.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
