/**
 * A big file through the Data page's upload API, as the browser sends it: a gzipped Binance
 * trades CSV of the recorded BTCUSDT stream repeated `BENCH_UPLOAD_COPIES` times (ids and times
 * shifted, 180 copies = 3.58 M trades), PUT in 8 MiB chunks to a real web server, then checked and
 * imported into a private nats-server's trade log. Reports the send and import times, rows/s and
 * the process's peak RSS (server and client together), to show memory stays flat with size.
 */
import { createWriteStream, openSync, readSync, closeSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createGzip } from "node:zlib";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { connect } from "@nats-io/transport-node";
import { bootstrap, platformLogSpec } from "../src/runtime/nats/index.js";
import { createWebServer } from "../src/web/server/server.js";
import { Uploads } from "../src/web/server/uploads/uploads.js";
import type { UploadStatus } from "../src/web/server/uploads/types.js";
import { DEFAULT_WINDOW_OPTIONS } from "../src/market/windows.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { tempDir } from "../test/helpers/temp-dir.js";
import { recordedCsvRows } from "../test/ingest/support.js";
import { pollUntil } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";

const COPIES = Number(process.env.BENCH_UPLOAD_COPIES ?? 180);
const CHUNK = 8 * 1024 * 1024;
const TOKEN = "bench-upload-token-0123456789";

async function writeFile(path: string): Promise<number> {
  const rows = recordedCsvRows(0, 19_904).map((l) => l.split(","));
  const span = Number(rows[rows.length - 1]![4]) - Number(rows[0]![4]) + 1000;
  async function* lines() {
    for (let k = 0; k < COPIES; k++) {
      const out: string[] = [];
      for (const [id, p, q, quote, time, maker, best] of rows) out.push(`${Number(id) + k * rows.length},${p},${q},${quote},${Number(time) + k * span},${maker},${best}\n`);
      yield out.join("");
    }
  }
  await pipeline(Readable.from(lines()), createGzip(), createWriteStream(path));
  return COPIES * rows.length;
}

export async function run(): Promise<void> {
  using dir = tempDir("bench-upload-");
  const file = join(dir.path, "BTCUSDT-trades-2024-08.csv.gz");
  phase(`writing ${COPIES} copies of the recording as a gzipped CSV`);
  const trades = await writeFile(file);
  const size = statSync(file).size;
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  await bootstrap(nc, platformLogSpec());
  const uploads = new Uploads({ dir: join(dir.path, "uploads"), nc, partitions: 32, spoolDir: join(dir.path, "spool"), windows: DEFAULT_WINDOW_OPTIONS });
  const server = await createWebServer({ host: "127.0.0.1", port: 0, nc, statusProvider: async () => [], admin: { tokens: [TOKEN] }, uploads });
  const headers = { "x-admin-token": TOKEN };
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  try {
    phase("sending the file in 8 MiB chunks");
    const t0 = performance.now();
    const created = (await (await fetch(`${server.url}/api/uploads`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ kind: "binance-trades", name: "BTCUSDT-trades-2024-08.csv.gz", size, symbol: "BTCUSDT" }) })).json()) as UploadStatus;
    const fd = openSync(file, "r");
    const buf = Buffer.alloc(CHUNK);
    for (let offset = 0; offset < size; ) {
      const n = readSync(fd, buf, 0, CHUNK, offset);
      const r = await fetch(`${server.url}/api/uploads/${created.id}?offset=${offset}`, { method: "PUT", headers, body: new Uint8Array(buf.buffer, buf.byteOffset, n) });
      if (r.status !== 200) throw new Error(`chunk at ${offset}: ${r.status} ${await r.text()}`);
      offset += n;
    }
    closeSync(fd);
    const sent = performance.now();
    phase("checking and importing");
    let last: UploadStatus = created;
    await pollUntil(
      "the upload's import to finish",
      15 * 60_000,
      async () => {
        last = (await (await fetch(`${server.url}/api/uploads/${created.id}`, { headers })).json()) as UploadStatus;
        return last.phase === "done" || last.phase === "failed" ? true : undefined;
      },
      () => `phase ${last.phase}, ${last.progress?.rows ?? 0} rows read`,
      { intervalMs: 200 },
    );
    const done = performance.now();
    if (last.phase !== "done" || last.result?.accepted !== trades) throw new Error(`upload ended ${last.phase}: ${last.error ?? JSON.stringify(last.result)}`);
    const sendS = (sent - t0) / 1000;
    const importS = (done - sent) / 1000;
    const mb = size / 1e6;
    console.log(`upload ${mb.toFixed(1)} MB gzip of ${trades.toLocaleString("en")} trades: sent in ${sendS.toFixed(1)} s (${(mb / sendS).toFixed(0)} MB/s), checked + imported in ${importS.toFixed(1)} s (${Math.round(trades / importS).toLocaleString("en")} trades/s), peak RSS ${(peak / 1e6).toFixed(0)} MB (${((peak - baseline) / 1e6).toFixed(0)} MB over the ${(baseline / 1e6).toFixed(0)} MB before)`);
    record(`upload: ${mb.toFixed(1)} MB gzip, ${trades.toLocaleString("en")} trades, send in 8 MiB chunks`, mb / sendS, "MB/s", `${sendS.toFixed(1)} s`);
    record(`upload: ${trades.toLocaleString("en")} trades, check + import into the log`, trades / importS, "trades/s", `${importS.toFixed(1)} s; every trade accepted once`);
    record(`upload: ${trades.toLocaleString("en")} trades, peak RSS of the process (server and client)`, peak / 1e6, "MB", `${((peak - baseline) / 1e6).toFixed(0)} MB over the ${(baseline / 1e6).toFixed(0)} MB before the upload`);
  } finally {
    clearInterval(sampler);
    await server.close();
    await uploads.close();
    await nc.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
