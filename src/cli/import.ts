/**
 * npm run import -- <file.csv|.csv.gz|.zip> [--symbol BTCUSDT] [--source binance] [--event-time-only] [--nats URL] [--partitions 32] [--spool DIR]
 *   Binance historical trades CSV (plain, gzip or zip) straight into the trade log, with the log's de-dup,
 *   then an end-of-stream mark so the symbol's last windows and candle close (not with --event-time-only,
 *   nor when every trade was already in the log).
 * npm run import -- <file.jsonl|file.csv[.gz|.zip]> --source <source> --type <data_type> [--format jsonl|csv] [--nats URL]
 *   A custom source's records (JSON Lines, or CSV with a header row) into the CUSTOM log, as a NATS client sends them.
 * npm run import -- <SYMBOL>-<interval>-<date>.csv|.zip [--symbol S] [--klines] [--nats URL]
 *   Binance klines (told by the file name, or --klines): a record per kline into the CUSTOM log, source binance, data type klines.
 * All print progress (share of bytes, rows, rows/s, ETA) on stderr every second, then a summary.
 */
import { connectCliNats } from "./nats.js";
import { ensureIngestStreams } from "../ingest/bootstrap.js";
import { importTradesCsv, symbolFromFileName } from "../ingest/csv-import.js";
import { TradeLogPublisher } from "../ingest/publisher.js";
import { parseArgs } from "./args.js";
import { formatImportProgress } from "../ingest/import-file.js";
import { importCustomFile, type CustomFileKind } from "../custom/file-import.js";
import { ensureCustomStreams } from "../custom/streams.js";
import { jetstream } from "@nats-io/jetstream";
import { klinesFileName } from "../market/binance-klines.js";
import { BINANCE_SOURCE } from "../market/binance.js";

/** `--type` makes it a custom import; the format is `--format`, else told by the name (.jsonl/.ndjson, else CSV). */
async function importCustom(file: string, flags: Map<string, string>): Promise<void> {
  const source = flags.get("source");
  const dataType = flags.get("type")!;
  if (source === undefined) throw new Error("a custom import needs --source <source> with --type <data_type>");
  const named = flags.get("format");
  if (named !== undefined && named !== "jsonl" && named !== "csv" && named !== "binance-klines") throw new Error(`--format must be jsonl or csv, not "${named}"`);
  const kind: CustomFileKind = (named as CustomFileKind | undefined) ?? (/\.(jsonl|ndjson)(\.gz|\.zip)?$/i.test(file) ? "jsonl" : "csv");
  const nc = await connectCliNats(flags.get("nats"), "custom-import");
  await ensureCustomStreams(nc);
  const started = Date.now();
  const s = await importCustomFile(jetstream(nc), file, {
    source,
    dataType,
    kind,
    ...(flags.has("symbol") ? { symbol: flags.get("symbol")! } : {}),
    onProgress: (p) => console.error(`… ${formatImportProgress(p)} · ${p.published.toLocaleString("en-US")} records published`),
  });
  await nc.close();
  console.log(
    `imported ${file} (${kind}) to ingest.${source}.${dataType} in ${((Date.now() - started) / 1000).toFixed(1)} s: rows ${s.rows}, records published ${s.published} in ${s.messages} messages (${s.duplicates} already in the log), not records ${s.invalid}`,
  );
  for (const e of s.firstErrors) console.log(`  line ${e.line}: ${e.message}`);
  console.log("the custom router checks each record: refused ones go to dlq.<reason> (the Control page's log browser shows them)");
}

async function main(): Promise<void> {
  const { positionals, flags } = parseArgs(process.argv.slice(2));
  const file = positionals[0];
  if (file === undefined) throw new Error("usage: npm run import -- <file.csv | file.csv.gz | file.zip> [--symbol BTCUSDT] [--source binance] [--nats URL]\n       npm run import -- <file.jsonl | file.csv> --source <source> --type <data_type> [--format jsonl|csv] [--nats URL]");
  if (flags.has("type")) return importCustom(file, flags);
  const klines = klinesFileName(file);
  if (klines !== null || flags.has("klines")) {
    const symbol = (flags.get("symbol") ?? klines?.symbol)?.toUpperCase();
    if (!symbol) throw new Error(`no --symbol given and none in the file name "${file}" (expected <SYMBOL>-<interval>-<date>.csv)`);
    return importCustom(file, new Map([...flags, ["source", BINANCE_SOURCE], ["type", "klines"], ["format", "binance-klines"], ["symbol", symbol]]));
  }
  const symbol = (flags.get("symbol") ?? symbolFromFileName(file))?.toUpperCase();
  if (!symbol) throw new Error(`no --symbol given and none in the file name "${file}" (expected <SYMBOL>-trades-<date>.csv)`);
  const source = flags.get("source") ?? "binance";
  const nc = await connectCliNats(flags.get("nats"), "trade-import");
  await ensureIngestStreams(nc);
  const publisher = await TradeLogPublisher.start(nc, { spoolDir: flags.get("spool") ?? "./data/spool", partitions: Number(flags.get("partitions") ?? 32) });
  const started = Date.now();
  const summary = await importTradesCsv(publisher, file, {
    symbol,
    source,
    onProgress: (p) => console.error(`… ${formatImportProgress(p)} · ${publisher.status().published.toLocaleString("en-US")} trades published`),
  });
  await publisher.flush();
  if (!flags.has("event-time-only")) await publisher.endOfStream(source, [symbol]);
  const st = publisher.status();
  await publisher.close();
  await nc.close();
  const secs = (Date.now() - started) / 1000;
  console.log(
    `imported ${file} as ${source}:${symbol} in ${secs.toFixed(1)} s: rows ${summary.rows}, trades published ${st.published}, duplicates dropped ${st.duplicatesDropped}, gaps ${st.gaps} (${st.missingTrades} ids missing), invalid rows ${summary.invalid}${st.endMarks > 0 ? ", end of stream logged (the last windows close)" : ""}`,
  );
  if (st.duplicatesDropped > 0) {
    console.log(
      `note: a trade is a duplicate when its id is at or below the last id the log holds for ${source}:${symbol}; history older than what the log already holds is not added (the log keeps each symbol's trades in id order)`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
