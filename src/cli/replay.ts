/**
 * npm run replay -- <recording.jsonl> [--speed N|max] [--event-time-only] [--nats URL] [--partitions 32] [--spool DIR]
 * Starts the simulator on a free port with the recording, runs the real client + publisher
 * against it until the recording ends, logs an end-of-stream mark per symbol (so the last windows
 * and candles close; not with --event-time-only), prints progress and a summary.
 */
import { connectCliNats } from "./nats.js";
import { ensureIngestStreams } from "../ingest/bootstrap.js";
import { Ingestor } from "../ingest/ingestor.js";
import { symbolOfTradeStream } from "../ingest/streams.js";
import { MarketSimulator } from "../simulator/server.js";
import { ReplaySource } from "../simulator/replay-source.js";
import { parseSpeed } from "../simulator/source.js";
import { parseArgs } from "./args.js";

async function main(): Promise<void> {
  const { positionals, flags } = parseArgs(process.argv.slice(2));
  const file = positionals[0];
  if (file === undefined) throw new Error("usage: npm run replay -- <recording.jsonl> [--speed N|max] [--nats URL]");
  const source = await ReplaySource.load(file, parseSpeed(flags.get("speed") ?? "max"));
  const symbols = [...source.streams].map(symbolOfTradeStream).filter((s): s is string => s !== null);
  if (symbols.length === 0) throw new Error(`${file} holds no <symbol>@trade stream`);
  const nc = await connectCliNats(flags.get("nats"), "trade-replay");
  await ensureIngestStreams(nc);
  const sim = await MarketSimulator.start({ source });
  console.log(`replaying ${source.rows.length} events of ${symbols.join(", ")} from ${file} via ${sim.url}`);
  const ingestor = await Ingestor.start(nc, { client: { baseUrl: sim.url, symbols }, publisher: { spoolDir: flags.get("spool") ?? "./data/spool", partitions: Number(flags.get("partitions") ?? 32) } });
  const started = Date.now();
  const progress = setInterval(() => {
    const s = ingestor.publisher.status();
    console.log(`… ${s.accepted + s.duplicatesDropped}/${source.rows.length} handled, ${s.published} published, mode ${s.mode}`);
  }, 1000);
  await sim.whenEnded();
  // Every event the simulator sent has been handled once accepted + dropped + invalid reach it.
  const handled = () => {
    const s = ingestor.publisher.status();
    return s.accepted + s.duplicatesDropped + s.invalid;
  };
  // If a socket dropped, some frames never arrive: stop waiting after 10 s without progress.
  let last = -1;
  let lastChange = Date.now();
  while (handled() < sim.stats().framesSent && Date.now() - lastChange < 10_000) {
    if (handled() !== last) [last, lastChange] = [handled(), Date.now()];
    await new Promise((r) => setTimeout(r, 50));
  }
  await ingestor.publisher.flush();
  if (!flags.has("event-time-only")) await ingestor.publisher.endOfStream("binance", symbols);
  clearInterval(progress);
  const s = ingestor.publisher.status();
  await ingestor.close();
  await sim.close();
  await nc.close();
  const secs = (Date.now() - started) / 1000;
  console.log(
    `done in ${secs.toFixed(1)} s: trades published ${s.published} (${s.batchesPublished} batches), duplicates dropped ${s.duplicatesDropped}, gaps ${s.gaps} (${s.missingTrades} ids missing), invalid ${s.invalid}, end-of-stream marks ${s.endMarks}`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
