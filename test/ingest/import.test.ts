import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { importTradesCsv, symbolFromFileName } from "../../src/ingest/csv-import.js";
import { TradeLogPublisher } from "../../src/ingest/publisher.js";
import { FIRST_ID, contiguityProblem, log, readStream, readTrades, recordedCsvRows, startStack } from "./support.js";

test("the symbol comes from a data.binance.vision file name", () => {
  assert.equal(symbolFromFileName("/tmp/BTCUSDT-trades-2024-08-08.csv"), "BTCUSDT");
  assert.equal(symbolFromFileName("/tmp/trades.csv"), null);
});

test("the CSV importer writes the log with the same de-dup: an overlapping second file adds only the new trades", async () => {
  await using stack = await startStack();
  const first = join(stack.tmp, "BTCUSDT-trades-2024-08-08.csv");
  const second = join(stack.tmp, "BTCUSDT-trades-2024-08-09.csv");
  writeFileSync(first, recordedCsvRows(0, 5000).join("\n") + "\n");
  writeFileSync(second, ["id,price,qty,quote_qty,time,is_buyer_maker,is_best_match", ...recordedCsvRows(3000, 8000), "not,a,row"].join("\n") + "\n");

  const p1 = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log });
  const s1 = await importTradesCsv(p1, first, { symbol: symbolFromFileName(first)!, source: "binance" });
  await p1.flush();
  assert.deepEqual(s1, { rows: 5000, trades: 5000, invalid: 0 });
  assert.equal(p1.status().published, 5000);
  await p1.close();

  // A fresh publisher (a new process) learns the high-water mark from the stream.
  const p2 = await TradeLogPublisher.start(stack.nc, { spoolDir: stack.spoolDir, log });
  const s2 = await importTradesCsv(p2, second, { symbol: "BTCUSDT", source: "binance" });
  await p2.flush();
  assert.equal(s2.invalid, 1);
  const st = p2.status();
  assert.equal(st.duplicatesDropped, 2000);
  assert.equal(st.published, 3000);
  await p2.close();

  assert.equal(contiguityProblem(await readTrades(stack.nc), FIRST_ID, FIRST_ID + 7999), null);
  const dlq = await readStream(stack.nc, "DLQ");
  assert.equal(dlq.length, 1);
  assert.equal(dlq[0]!.subject, "dlq.csv-missing-field");
});
