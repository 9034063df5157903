/**
 * Import files as Binance publishes them (src/ingest/import-file.ts): plain, gzip and zip (deflated
 * or stored, with data descriptors) give the same lines; broken, empty and non-UTF-8 files get a
 * clear ImportFileError; the progress line's share, rate and ETA.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ImportFileError, formatImportProgress, openImportFile, progressReporter, type ImportFile } from "../../src/ingest/import-file.js";
import { tempDir } from "../helpers/temp-dir.js";
import { zipOf } from "../helpers/zip.js";
import { recordedCsvRows } from "./support.js";

const rows = recordedCsvRows(0, 3000);
const text = Buffer.from(rows.join("\n") + "\n");

async function linesOf(path: string): Promise<{ lines: string[]; format: string; read: number; total: number }> {
  const f = await openImportFile(path);
  const lines: string[] = [];
  for await (const l of f.lines()) lines.push(l);
  return { lines, format: f.format, read: f.bytesRead(), total: f.totalBytes };
}

test("a plain, gzipped or zipped CSV gives the same lines, and progress ends at every byte", async () => {
  using dir = tempDir("import-file-");
  const files: [string, Buffer, string][] = [
    ["BTCUSDT-trades-2024-08-08.csv", text, "text"],
    ["BTCUSDT-trades-2024-08-08.csv.gz", gzipSync(text), "gzip"],
    ["BTCUSDT-trades-2024-08-08.zip", zipOf([{ name: "BTCUSDT-trades-2024-08-08.csv", data: text }]), "zip"],
    ["streamed.zip", zipOf([{ name: "BTCUSDT-trades-2024-08-08.csv", data: text, descriptor: true }]), "zip"],
    ["stored.zip", zipOf([{ name: "a.csv", data: text, method: 0 }]), "zip"],
    ["crlf.csv", Buffer.from(rows.join("\r\n")), "text"],
  ];
  for (const [name, bytes, format] of files) {
    const path = join(dir.path, name);
    writeFileSync(path, bytes);
    const got = await linesOf(path);
    assert.equal(got.format, format, name);
    assert.deepEqual(got.lines, rows, name);
    assert.equal(got.read, got.total, `${name}: bytes read at the end`);
  }
});

test("a zip of several days reads its CSV entries in order and skips the rest", async () => {
  using dir = tempDir("import-file-");
  const path = join(dir.path, "month.zip");
  writeFileSync(path, zipOf([{ name: "day1.csv", data: Buffer.from("1\n2\n") }, { name: "README.pdf", data: Buffer.from("%PDF") }, { name: "day2.csv", data: Buffer.from("3\n") }]));
  assert.deepEqual((await linesOf(path)).lines, ["1", "2", "3"]);
});

test("bad files are refused with a message that says what is wrong", async () => {
  using dir = tempDir("import-file-");
  const zip = zipOf([{ name: "x.csv", data: text }]);
  const corrupt = Buffer.from(zip);
  for (let i = 200; i < 260; i++) corrupt[i] = 0xff;
  const cases: [string, Buffer, RegExp][] = [
    ["empty.csv", Buffer.alloc(0), /is empty \(0 bytes\)/],
    ["truncated.zip", zip.subarray(0, zip.length - 40), /not a readable zip: no end of central directory/],
    ["corrupt.zip", corrupt, /the zip data is corrupt/],
    ["corrupt.csv.gz", gzipSync(text).subarray(0, 500), /the gzip data is corrupt/],
    ["pictures.zip", zipOf([{ name: "a.png", data: Buffer.from("png") }]), /holds no \.csv or \.jsonl file/],
    ["latin1.csv", Buffer.concat([Buffer.from("1,caf"), Buffer.from([0xe9]), Buffer.from(",2\n")]), /is not UTF-8 text/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = join(dir.path, name);
    writeFileSync(path, bytes);
    await assert.rejects(linesOf(path), (e: unknown) => e instanceof ImportFileError && message.test(e.message), name);
  }
});

test("the progress line: share of bytes, rows, rate and ETA", () => {
  assert.equal(formatImportProgress({ bytesRead: 25e6, totalBytes: 100e6, rows: 500_000, elapsedMs: 2000 }), "25 % · 25.0 of 100.0 MB · 500,000 rows · 250,000 rows/s · ETA 6 s");
  assert.equal(formatImportProgress({ bytesRead: 10e6, totalBytes: 100e6, rows: 10_000, elapsedMs: 60_000 }), "10 % · 10.0 of 100.0 MB · 10,000 rows · 167 rows/s · ETA 9 min");
  assert.equal(formatImportProgress({ bytesRead: 1e6, totalBytes: 100e6, rows: 7_200, elapsedMs: 72_000 }), "1 % · 1.0 of 100.0 MB · 7,200 rows · 100 rows/s · ETA 2.0 h");
  assert.equal(formatImportProgress({ bytesRead: 100e6, totalBytes: 100e6, rows: 2_000_000, elapsedMs: 8000 }), "100 % · 100.0 of 100.0 MB · 2,000,000 rows · 250,000 rows/s · ETA 0 s");
});

test("progress is reported at most once a second while rows come in, and once at the end", () => {
  let t = 0;
  let rows = 0;
  const file: ImportFile = { format: "zip", totalBytes: 1000, bytesRead: () => rows * 10, lines: () => [][Symbol.iterator]() as never };
  const seen: [number, number, number][] = [];
  const progress = progressReporter(file, () => ({ rows }), (p) => seen.push([p.elapsedMs, p.rows, p.bytesRead]), { now: () => t });
  for (; t <= 2_500; t += 100) {
    rows++;
    progress.tick();
  }
  progress.done();
  assert.deepEqual(seen, [[1_000, 11, 110], [2_000, 21, 210], [2_600, 26, 260]]);
});
