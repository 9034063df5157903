/**
 * `npm run import -- <file> --source S --type T`: a custom source's JSON Lines or CSV file (here
 * zipped and gzipped) through the CUSTOM log and a real router into its lake table, on a real
 * nats-server; lines that are not records are counted and named; the same file again adds nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DiscardPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Lake } from "../../src/lake/index.js";
import { readCustomTable } from "../../src/custom/index.js";
import { csvCells, importCustomFile, CustomImportInterrupted, CustomImportRefused } from "../../src/custom/file-import.js";
import { zipOf } from "../helpers/zip.js";
import { routedAll, startRouter, startStack } from "./support.js";

const run = promisify(execFile);
const t0 = Date.UTC(2026, 0, 5);
const readings = Array.from({ length: 2500 }, (_, i) => ({ sensor_id: `press-${i % 7}`, temperature_c: 60 + (i % 13) * 0.5, timestamp: t0 + i * 1000 }));

test("a JSON Lines file and a CSV file of a custom source land in its lake table once", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake);
  const js = jetstream(s.probe);

  const lines = readings.map((x) => JSON.stringify(x));
  lines.splice(100, 0, "{not json");
  lines.splice(2000, 0, "[1, 2]");
  const jsonl = join(s.dir, "plant.jsonl.zip");
  writeFileSync(jsonl, zipOf([{ name: "plant.jsonl", data: Buffer.from(lines.join("\n") + "\n") }]));
  const first = await importCustomFile(js, jsonl, { source: "my_plant", dataType: "iot", kind: "jsonl" });
  assert.equal(first.rows, 2502);
  assert.equal(first.published, 2500);
  assert.equal(first.messages, 3, "1,000 records per message");
  assert.deepEqual(first.firstErrors.map((e) => e.line), [101, 2001]);
  assert.match(first.firstErrors[0]!.message, /not JSON/);
  assert.match(first.firstErrors[1]!.message, /not a JSON object/);

  const again = await importCustomFile(js, jsonl, { source: "my_plant", dataType: "iot", kind: "jsonl" });
  assert.equal(again.duplicates, 3, "the same file again: every message already in the log");

  const csv = join(s.dir, "plant.csv.gz");
  const rows = ["sensor_id,temperature_c,note,timestamp", ...readings.slice(0, 50).map((x, i) => `${x.sensor_id},${x.temperature_c},"line ${i}, ""quoted""",${x.timestamp + 5e6}`), "a,b,c,d,e"];
  writeFileSync(csv, gzipSync(rows.join("\n")));
  const fromCsv = await importCustomFile(js, csv, { source: "my_plant", dataType: "iot", kind: "csv" });
  assert.deepEqual([fromCsv.rows, fromCsv.published, fromCsv.invalid], [51, 50, 1]);
  assert.match(fromCsv.firstErrors[0]!.message, /5 cells, but the header names 4 columns/);

  await routedAll(s, r.router);
  const table = await readCustomTable(lake.table("custom.my_plant.iot"));
  assert.equal(table.length, 2550, "2,500 JSON Lines records and 50 CSV rows, none twice");
  const noted = table.filter((x) => x.note !== null);
  assert.equal(noted.length, 50);
  assert.ok(noted.some((x) => x.note === 'line 7, "quoted"' && typeof x.temperature_c === "number"), "CSV cells: quotes kept, numbers read as numbers");
  assert.equal((await (await jetstreamManager(s.probe)).streams.info("CUSTOM")).state.messages, 4);
});

test("a bad source, data type or header is refused before anything is published", async () => {
  await using s = await startStack();
  const js = jetstream(s.probe);
  const file = join(s.dir, "x.csv");
  writeFileSync(file, "a,,c\n1,2,3\n");
  await assert.rejects(importCustomFile(js, file, { source: "My Plant", dataType: "iot", kind: "csv" }), CustomImportRefused);
  await assert.rejects(importCustomFile(js, file, { source: "plant", dataType: "a.b", kind: "csv" }), CustomImportRefused);
  await assert.rejects(importCustomFile(js, file, { source: "plant", dataType: "iot", kind: "csv" }), /empty column name/);
  assert.equal((await (await jetstreamManager(s.probe)).streams.info("CUSTOM")).state.messages, 0);
});

test("npm run import with --source and --type: progress on stderr, the summary and the first bad lines on stdout", async () => {
  await using s = await startStack();
  const file = join(s.dir, "acme-2026-01.jsonl");
  writeFileSync(file, [...readings.slice(0, 1500).map((x) => JSON.stringify(x)), "oops"].join("\n"));
  const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "src/cli/import.ts", file, "--source", "acme", "--type", "iot", "--nats", s.nats.url], { timeout: 120_000 });
  assert.match(stdout, /imported .*acme-2026-01\.jsonl \(jsonl\) to ingest\.acme\.iot .*rows 1501, records published 1500 in 2 messages \(0 already in the log\), not records 1/);
  assert.match(stdout, /line 1501: not JSON/);
  assert.match(stderr, /… 100 % · .* · 1,501 rows · .* · ETA 0 s · importing/);
  assert.equal((await (await jetstreamManager(s.probe)).streams.info("CUSTOM")).state.messages, 2);
  await assert.rejects(run(process.execPath, ["--import", "tsx", "src/cli/import.ts", file, "--type", "iot", "--nats", s.nats.url], { timeout: 120_000 }), (e: { code?: number; stderr?: string }) => e.code === 1 && /needs --source/.test(e.stderr ?? ""));
});

test("a log that stops taking messages midway ends the import with an error naming what was published", async () => {
  await using s = await startStack({ streams: false });
  // A CUSTOM stream that takes two messages and refuses the rest.
  await (await jetstreamManager(s.probe)).streams.add({ name: "CUSTOM", subjects: ["ingest.>"], max_msgs: 2, discard: DiscardPolicy.New });
  const file = join(s.dir, "big.jsonl");
  writeFileSync(file, readings.map((x) => JSON.stringify(x)).join("\n"));
  await assert.rejects(
    importCustomFile(jetstream(s.probe), file, { source: "my_plant", dataType: "iot", kind: "jsonl", inFlight: 1 }),
    (e: unknown) => e instanceof CustomImportInterrupted && /after 2000 records were published/.test(e.message),
  );
  assert.equal((await (await jetstreamManager(s.probe)).streams.info("CUSTOM")).state.messages, 2);
});

test("CSV cells: commas, quotes and doubled quotes", () => {
  assert.deepEqual(csvCells('a, "b,c" ,"say ""hi""",'), ["a", "b,c", 'say "hi"', ""]);
});
