import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { LAST_ID, RECORDING, readStream, recordedCsvRows, startStack } from "./support.js";
import { decodeTradeLogEntries } from "../../src/ingest/partition-log.js";
import { zipOf } from "../helpers/zip.js";
import { sharedData } from "../helpers/shared-data.js";
import { ensureCustomStreams } from "../../src/custom/streams.js";

const run = promisify(execFile);

async function cli(script: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", script, ...args], { timeout: 120_000 });
  return stdout;
}

test("npm run replay: the recording into the log, then nothing the second time; npm run import: a CSV with de-dup", async () => {
  await using stack = await startStack();
  const common = ["--nats", stack.server.url, "--spool", stack.spoolDir];
  const first = await cli("src/cli/replay.ts", [RECORDING, "--speed", "max", ...common]);
  assert.match(first, /trades published 19904 .*duplicates dropped 0, gaps 0 .*invalid 0, end-of-stream marks 1/);
  // The end of the replay is in the log, after its last trade: the SymbolActor closes the last windows.
  const lastEntry = async () => {
    const messages = await readStream(stack.nc, "TRADES");
    return decodeTradeLogEntries(messages[messages.length - 1]!.data).at(-1)!;
  };
  assert.deepEqual((await lastEntry()).mark, { source: "binance", symbol: "BTCUSDT", lastId: LAST_ID, at: (await lastEntry()).mark?.at, end: true });
  const second = await cli("src/cli/replay.ts", [RECORDING, ...common]);
  assert.match(second, /trades published 0 .*duplicates dropped 19904.*end-of-stream marks 0/, "nothing new: no end either (the symbol may be live elsewhere)");

  // The same trades as a CSV under another source name: new for that source, once.
  const csv = join(stack.tmp, "BTCUSDT-trades-2024-08-08.csv");
  const rows = readFileSync(RECORDING, "utf8").trim().split("\n").slice(0, 300).map((l) => {
    const d = (JSON.parse(l) as { data: { t: number; p: string; q: string; T: number; m: boolean } }).data;
    return `${d.t},${d.p},${d.q},0,${d.T},${d.m ? "True" : "False"},True`;
  });
  writeFileSync(csv, rows.join("\n") + "\n");
  const imported = await cli("src/cli/import.ts", [csv, "--source", "csvtest", ...common]);
  assert.match(imported, /as csvtest:BTCUSDT .*trades published 300, duplicates dropped 0.*, end of stream logged/);
  const again = await cli("src/cli/import.ts", [csv, "--source", "csvtest", ...common]);
  assert.match(again, /trades published 0, duplicates dropped 300/);

  // The first 500 as data.binance.vision serves them (zipped): only the 200 new ones are added,
  // with the progress on stderr ending at 100 %.
  const zip = join(stack.tmp, "BTCUSDT-trades-2024-08.zip");
  writeFileSync(zip, zipOf([{ name: "BTCUSDT-trades-2024-08.csv", data: Buffer.from(recordedCsvRows(0, 500).join("\n") + "\n"), descriptor: true }]));
  const zipped = await run(process.execPath, ["--import", "tsx", "src/cli/import.ts", zip, "--source", "csvtest", ...common, "--event-time-only"], { timeout: 120_000 });
  assert.match(zipped.stdout, /imported .*BTCUSDT-trades-2024-08\.zip as csvtest:BTCUSDT .*rows 500, trades published 200, duplicates dropped 300, gaps 0 \(0 ids missing\), invalid rows 0\n/);
  assert.deepEqual((await lastEntry()).mark, null, "--event-time-only: no end mark");
  assert.match(zipped.stderr, /… 100 % · [\d.]+ of [\d.]+ MB · 500 rows · [\d,]+ rows\/s · ETA 0 s/);

  // A broken download: a clear message, exit code 1, nothing published.
  const broken = join(stack.tmp, "BTCUSDT-trades-2024-09.zip");
  writeFileSync(broken, readFileSync(zip).subarray(0, 100));
  await assert.rejects(run(process.execPath, ["--import", "tsx", "src/cli/import.ts", broken, "--source", "csvtest", ...common], { timeout: 120_000 }), (e: { code?: number; stderr?: string }) => e.code === 1 && /not a readable zip: no end of central directory/.test(e.stderr ?? ""));
});

test("npm run import -- <klines.csv> --klines: a record per kline into the CUSTOM log, with the progress and a summary", async () => {
  await using stack = await startStack();
  await ensureCustomStreams(stack.nc);
  const sample = sharedData("binance-recorded/nautilus-ADABTC-1m-2021-11-27.csv");
  const out = await cli("src/cli/import.ts", [sample, "--klines", "--symbol", "ADABTC", "--nats", stack.server.url]);
  assert.match(out, /to ingest\.binance\.klines .*rows 10, records published 10 in 1 messages \(0 already in the log\), not records 0/);
  const messages = await readStream(stack.nc, "CUSTOM");
  assert.deepEqual(messages.map((m) => m.subject), ["ingest.binance.klines"]);
});
