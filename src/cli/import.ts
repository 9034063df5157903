/**
 * npm run import -- <file.csv|.csv.gz|.zip> [--symbol BTCUSDT] [--source binance] [--nats URL] [--partitions 32] [--spool DIR]
 * Binance historical trades CSV (plain, gzip or zip) straight into the trade log, with the log's de-dup,
 * printing progress (share of bytes, rows, rows/s, ETA) every second.
 */
import { connectCliNats } from "./nats.js";
import { ensureIngestStreams } from "../ingest/bootstrap.js";
import { importTradesCsv, symbolFromFileName } from "../ingest/csv-import.js";
import { TradeLogPublisher } from "../ingest/publisher.js";
import { parseArgs } from "./args.js";
import { formatImportProgress } from "../ingest/import-file.js";

async function main(): Promise<void> {
  const { positionals, flags } = parseArgs(process.argv.slice(2));
  const file = positionals[0];
  if (file === undefined) throw new Error("usage: npm run import -- <file.csv | file.csv.gz | file.zip> [--symbol BTCUSDT] [--source binance] [--nats URL]");
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
  const st = publisher.status();
  await publisher.close();
  await nc.close();
  const secs = (Date.now() - started) / 1000;
  console.log(
    `imported ${file} as ${source}:${symbol} in ${secs.toFixed(1)} s: rows ${summary.rows}, trades published ${st.published}, duplicates dropped ${st.duplicatesDropped}, gaps ${st.gaps} (${st.missingTrades} ids missing), invalid rows ${summary.invalid}`,
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
