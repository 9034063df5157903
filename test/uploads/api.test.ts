/**
 * Uploads over HTTP against a real web server and a real nats-server: chunks, a connection cut
 * midway and resumed, the import into the trade log (de-duplicated like live ingest, ended with an
 * end-of-stream mark), bad files refused with nothing published, refused rows downloadable, and
 * callers without admin rights turned away.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { bootstrap, platformLogSpec } from "../../src/runtime/nats/index.js";
import { createWebServer } from "../../src/web/server/server.js";
import { Uploads } from "../../src/web/server/uploads/uploads.js";
import { DEFAULT_WINDOW_OPTIONS } from "../../src/market/windows.js";
import type { UploadStatus } from "../../src/web/server/uploads/types.js";
import { decodeTradeLogEntries } from "../../src/ingest/partition-log.js";
import { parseBinanceTradesCsvLine } from "../../src/market/binance-csv.js";
import type { Trade } from "../../src/market/trade.js";
import type { SilverBar } from "../../src/contracts/silver-bar.js";
import { bruteForceBars } from "../market-e2e/support.js";
import { startControlServices } from "../../src/control/web-services.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { sharedData } from "../helpers/shared-data.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait.js";
import { zipOf } from "../helpers/zip.js";
import { recordedCsvRows, readStream, FIRST_ID } from "../ingest/support.js";

const TOKEN = "upload-admin-token-0123456789";
const ROWS = 3_000;

async function startStack() {
  const nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  await bootstrap(nc, platformLogSpec());
  const dir = tempDir("uploads-");
  const uploads = new Uploads({ dir: join(dir.path, "uploads"), nc, partitions: 32, spoolDir: join(dir.path, "spool-upload"), windows: DEFAULT_WINDOW_OPTIONS });
  const server = await createWebServer({ host: "127.0.0.1", port: 0, nc, statusProvider: async () => [], admin: { tokens: [TOKEN] }, uploads });
  return {
    nc,
    url: server.url,
    dataDir: dir.path,
    async [Symbol.asyncDispose]() {
      await server.close();
      await uploads.close();
      await nc.close();
      await nats[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    },
  };
}

type Stack = Awaited<ReturnType<typeof startStack>>;
const admin = { "x-admin-token": TOKEN };

async function create(s: Stack, body: Record<string, unknown>, headers: Record<string, string> = admin): Promise<Response> {
  return fetch(`${s.url}/api/uploads`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

async function put(s: Stack, id: string, offset: number, chunk: Buffer): Promise<Response> {
  return fetch(`${s.url}/api/uploads/${id}?offset=${offset}`, { method: "PUT", headers: { "content-type": "application/octet-stream", ...admin }, body: new Uint8Array(chunk) });
}

/** Uploads a whole file in chunks and waits for the import to end. */
async function upload(s: Stack, name: string, data: Buffer, symbol = "BTCUSDT", chunk = 64 * 1024): Promise<UploadStatus> {
  const created = (await (await create(s, { kind: "binance-trades", name, size: data.length, symbol })).json()) as UploadStatus;
  for (let offset = 0; offset < data.length; offset += chunk) {
    const r = await put(s, created.id, offset, data.subarray(offset, offset + chunk));
    assert.equal(r.status, 200, await r.clone().text());
  }
  return finished(s, created.id);
}

async function finished(s: Stack, id: string): Promise<UploadStatus> {
  return waitFor(
    async () => {
      const st = (await (await fetch(`${s.url}/api/uploads/${id}`, { headers: admin })).json()) as UploadStatus;
      return st.phase === "done" || st.phase === "failed" ? st : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `upload ${id} finished` },
  );
}

async function logEntries(s: Stack) {
  return (await readStream(s.nc, "TRADES")).flatMap((m) => decodeTradeLogEntries(m.data));
}

const csv = (rows: readonly string[]) => Buffer.from(rows.join("\n") + "\n");

async function loggedTradesOf(s: Stack) {
  return (await logEntries(s)).flatMap((e) => e.trades);
}

/** The CSV rows as trades (the recording's own). */
function parseRows(rows: readonly string[]): Trade[] {
  return rows.flatMap((line) => {
    const r = parseBinanceTradesCsvLine(line, { symbol: "BTCUSDT", ingestTime: 0 });
    return r.kind === "trade" ? [r.trade] : [];
  });
}

test("an upload cut midway resumes from the bytes the server holds; its trades reach the log once, then an end mark; the same file again adds nothing", async () => {
  await using s = await startStack();
  const data = zipOf([{ name: "BTCUSDT-trades-2024-08-08.csv", data: csv(recordedCsvRows(0, ROWS)), descriptor: true }]);
  const created = (await (await create(s, { kind: "binance-trades", name: "BTCUSDT-trades-2024-08-08.zip", size: data.length, symbol: "BTCUSDT" })).json()) as UploadStatus;
  assert.equal(created.phase, "uploading");
  // The first chunk's connection drops after part of its bytes.
  const half = Math.floor(data.length / 2);
  await new Promise<void>((resolve) => {
    const req = request(`${s.url}/api/uploads/${created.id}?offset=0`, { method: "PUT", headers: { ...admin, "content-length": String(data.length) } });
    req.on("error", () => resolve());
    req.write(data.subarray(0, half), () => setTimeout(() => (req.destroy(), resolve()), 200));
  });
  const after = await waitFor(
    async () => {
      const st = (await (await fetch(`${s.url}/api/uploads/${created.id}`, { headers: admin })).json()) as UploadStatus;
      return st.received > 0 ? st : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50, what: "the cut chunk's bytes on the server" },
  );
  assert.ok(after.received <= half && after.phase === "uploading", JSON.stringify(after));
  // A chunk at the wrong offset is told where to resume.
  const wrong = await put(s, created.id, 0, data.subarray(0, 10));
  assert.equal(wrong.status, 409);
  assert.equal(((await wrong.json()) as { received: number }).received, after.received);
  assert.equal((await put(s, created.id, after.received, data.subarray(after.received))).status, 200);
  const done = await finished(s, created.id);
  assert.equal(done.phase, "done", done.error ?? "");
  assert.deepEqual({ ...done.result!, seconds: 0 }, { rows: ROWS, accepted: ROWS, duplicates: 0, invalid: 0, firstErrors: [], rejectFile: false, endOfStream: true, backfilled: null, gaps: 0, missingTrades: 0, messages: 0, seconds: 0 });
  assert.equal(done.progress?.bytesRead, data.length);
  const entries = await logEntries(s);
  const ids = entries.flatMap((e) => e.trades.map((t) => t.tradeId));
  assert.deepEqual(ids, Array.from({ length: ROWS }, (_, i) => FIRST_ID + i), "every trade once, in order");
  assert.deepEqual(entries[entries.length - 1]!.mark, { source: "binance", symbol: "BTCUSDT", lastId: FIRST_ID + ROWS - 1, at: entries[entries.length - 1]!.mark!.at, end: true });

  // Overlapping history (the first 500 again and 500 new): only the new ones are added.
  const again = await upload(s, "BTCUSDT-trades-2024-08-08.csv", csv(recordedCsvRows(ROWS - 500, ROWS + 500)));
  assert.equal(again.phase, "done", again.error ?? "");
  assert.deepEqual([again.result!.accepted, again.result!.duplicates], [500, 500]);
});

test("bad files are refused with a clear reason and nothing reaches the log; refused rows among good ones can be downloaded", async () => {
  await using s = await startStack();
  const good = recordedCsvRows(0, 50);
  const cases: [string, Buffer, RegExp, string?][] = [
    ["BTCUSDT-trades-empty.csv", Buffer.alloc(0), /is empty \(0 bytes\)/],
    ["BTCUSDT-trades-2024-08.zip", zipOf([{ name: "x.csv", data: csv(good), descriptor: true }]).subarray(0, 60), /not a readable zip/],
    ["BTCUSDT-trades-columns.csv", csv(["1,2,3", "4,5,6"]), /not a Binance trades CSV .*line 1: expected 6 or 7 columns, got 3/],
    ["ETHUSDT-trades-2024-08-08.csv", csv(good), /named for ETHUSDT, not BTCUSDT/],
    ["BTCUSDT-trades-latin1.csv", Buffer.concat([csv(good), Buffer.from([0x69, 0x64, 0xe9, 0x0a])]), /UTF-8/],
  ];
  for (const [name, data, why] of cases) {
    const st = await upload(s, name, data);
    assert.equal(st.phase, "failed", name);
    assert.match(st.error ?? "", why, name);
    assert.ok(!(st.error ?? "").includes("/uploads/"), `the message names the file, not the server's path: ${st.error}`);
  }
  const jsm = await jetstreamManager(s.nc);
  assert.equal((await jsm.streams.info("TRADES")).state.messages, 0, "nothing partial left in the log");

  const mixed = [...good.slice(0, 20), "oops,1,2,3,4,True", ...good.slice(20, 40), `${FIRST_ID + 999},-5,1,0,1723161255342,True,True`, ...good.slice(40)];
  const st = await upload(s, "BTCUSDT-trades-mixed.csv", csv(mixed));
  assert.equal(st.phase, "done", st.error ?? "");
  assert.deepEqual([st.result!.rows, st.result!.accepted, st.result!.invalid, st.result!.rejectFile], [52, 50, 2, true]);
  assert.deepEqual(st.result!.firstErrors.map((e) => e.line), [21, 42]);
  const rejects = await (await fetch(`${s.url}/api/uploads/${st.id}/rejects`, { headers: admin })).text();
  assert.equal(rejects, `line,reason,row\n21,"id ""oops"" is not a non-negative integer","oops,1,2,3,4,True"\n42,"price ""-5"" is not a positive finite decimal","${FIRST_ID + 999},-5,1,0,1723161255342,True,True"\n`);
});

test("uploads are admin actions: no token or a wrong one gets 401 (audited), another origin 403, and a bad request says what is wrong", async () => {
  await using s = await startStack();
  // The control plane's services, as a node's web role runs them: refusals go to the audit trail.
  await using _control = await startControlServices({ nc: s.nc, adminTokens: [TOKEN], dataDir: s.dataDir, webId: "web-test" });
  const body = { kind: "binance-trades", name: "BTCUSDT-trades.csv", size: 10, symbol: "BTCUSDT" };
  assert.equal((await create(s, body, {})).status, 401);
  assert.equal((await create(s, body, { "x-admin-token": "wrong-token-wrong-token" })).status, 401);
  assert.equal((await create(s, body, { ...admin, origin: "https://evil.example" })).status, 403);
  assert.equal((await fetch(`${s.url}/api/uploads`)).status, 401, "listing too");
  const bad = await create(s, { ...body, symbol: "btc usdt" });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /symbol: an upper-case Binance symbol/);
  const ok = (await (await create(s, body)).json()) as UploadStatus;
  assert.equal((await put(s, ok.id, 0, Buffer.alloc(11))).status, 413, "more bytes than declared");
  assert.equal((await fetch(`${s.url}/api/uploads/nope`, { headers: admin })).status, 404);
  const audit = await waitFor(
    async () => {
      const records = (await readStream(s.nc, "AUDIT")).map((m) => JSON.parse(new TextDecoder().decode(m.data)) as { command: string; result: string; detail?: string; onBehalfOf?: string });
      return records.length >= 3 ? records : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 100, what: "audit records of the uploads" },
  );
  assert.deepEqual(audit.filter((r) => r.command === "upload" && r.result === "rejected").length, 2, "both refused creates audited");
  assert.equal(audit.filter((r) => r.command === "upload" && r.result === "ok").length, 1, "the created upload audited, for whom it was created");
});

test("a Binance klines file: one record per kline into the CUSTOM log (source binance, data type klines); a trades file sent as klines is refused", async () => {
  await using s = await startStack();
  const klines = readFileSync(sharedData("binance-recorded/nautilus-ADABTC-1m-2021-11-27.csv"));
  const created = (await (await create(s, { kind: "binance-klines", name: "ADABTC-1m-2021-11-27.csv", size: klines.length, symbol: "ADABTC" })).json()) as UploadStatus;
  assert.equal((await put(s, created.id, 0, klines)).status, 200);
  const done = await finished(s, created.id);
  assert.equal(done.phase, "done", done.error ?? "");
  assert.deepEqual([done.result!.rows, done.result!.accepted, done.result!.invalid], [10, 10, 0]);
  const records = (await readStream(s.nc, "CUSTOM")).flatMap((m) => {
    assert.equal(m.subject, "ingest.binance.klines");
    const body = JSON.parse(new TextDecoder().decode(m.data)) as Record<string, unknown> | Record<string, unknown>[];
    return Array.isArray(body) ? body : [body];
  });
  assert.equal(records.length, 10);
  assert.deepEqual([records[0]!.symbol, records[0]!.timestamp, records[0]!.close], ["ADABTC", 1637971200000, 0.00002854]);

  const trades = csv(recordedCsvRows(0, 20));
  const wrong = (await (await create(s, { kind: "binance-klines", name: "ADABTC-1m-2021-11-28.csv", size: trades.length, symbol: "ADABTC" })).json()) as UploadStatus;
  await put(s, wrong.id, 0, trades);
  const refused = await finished(s, wrong.id);
  assert.equal(refused.phase, "failed");
  assert.match(refused.error ?? "", /not a Binance klines CSV: line 1: expected 12 columns/);
});

test("history older than what the log holds: its bars and candles are backfilled onto SILVER and CANDLES, as the plain computation gives them, and the log gains nothing", async () => {
  await using s = await startStack();
  const HALF = 10_000;
  // The later trades are what live ingest logged; the earlier ones come as a file afterwards.
  const later = await upload(s, "BTCUSDT-trades-later.csv", csv(recordedCsvRows(HALF, 19_904)));
  assert.equal(later.phase, "done", later.error ?? "");
  assert.equal(later.result!.backfilled, null, "nothing older than the log yet: the file went into the log");
  const logged = (await logEntries(s)).length;
  const earlier = await upload(s, "BTCUSDT-trades-earlier.csv", csv(recordedCsvRows(0, HALF)));
  assert.equal(earlier.phase, "done", earlier.error ?? "");
  const firstLive = (await loggedTradesOf(s))[0]!.tradeTime;
  const b = earlier.result!.backfilled!;
  assert.equal(b.before, firstLive, "live processing begins at the log's first trade");
  assert.deepEqual([earlier.result!.accepted, earlier.result!.duplicates, b.trades], [0, 0, HALF], "every trade older than the log, none logged");
  assert.equal((await logEntries(s)).length, logged, "the log gained nothing");

  assert.equal((await loggedTradesOf(s)).length, 19_904 - HALF);
  const history = parseRows(recordedCsvRows(0, HALF));
  const barsEnd = Math.floor(firstLive / 10_000) * 10_000;
  const expected = bruteForceBars(history, 30_000, 10_000, -30_000).filter((bar) => bar.windowEnd <= barsEnd);
  const silver = (await readStream(s.nc, "SILVER")).map((m) => JSON.parse(new TextDecoder().decode(m.data)) as SilverBar);
  assert.equal(b.bars, expected.length);
  assert.deepEqual(
    silver.map((x) => [x.windowStart, x.open, x.high, x.low, x.close, x.tradeCount]),
    expected.map((x) => [x.windowStart, x.open, x.high, x.low, x.close, x.tradeCount]),
  );
  assert.ok(silver.every((x) => typeof x.prediction === "number" && x.modelVersion === "naive"));
  const candles = (await readStream(s.nc, "CANDLES")).map((m) => JSON.parse(new TextDecoder().decode(m.data)) as { openTime: number });
  assert.equal(candles.length, b.candles);
  assert.ok(candles.length > 0 && candles.every((c) => c.openTime + 60_000 <= Math.floor(firstLive / 60_000) * 60_000));

  // The same history again (within the duplicate window): nothing new anywhere.
  const again = await upload(s, "BTCUSDT-trades-earlier.csv", csv(recordedCsvRows(0, HALF)));
  assert.equal(again.phase, "done");
  assert.equal((await readStream(s.nc, "SILVER")).length, silver.length);
});

test("custom JSON Lines: records into the CUSTOM log on ingest.<source>.<data_type>; lines that are not records are counted and downloadable", async () => {
  await using s = await startStack();
  const t0 = Date.now() - 60_000;
  const lines = [JSON.stringify({ sensor_id: "s1", temperature_c: 21.5, timestamp: t0 }), "{not json", JSON.stringify({ sensor_id: "s2", temperature_c: 19.25, timestamp: t0 + 1000 }), "[1,2]"];
  const data = Buffer.from(lines.join("\n") + "\n");
  const created = (await (await create(s, { kind: "custom-jsonl", name: "plant.jsonl", size: data.length, source: "my_plant", dataType: "iot" })).json()) as UploadStatus;
  assert.equal(created.target, "my_plant.iot");
  assert.equal((await put(s, created.id, 0, data)).status, 200);
  const done = await finished(s, created.id);
  assert.equal(done.phase, "done", done.error ?? "");
  assert.deepEqual([done.result!.rows, done.result!.accepted, done.result!.invalid, done.result!.rejectFile], [4, 2, 2, true]);
  const subjects = (await readStream(s.nc, "CUSTOM")).map((m) => m.subject);
  assert.deepEqual([...new Set(subjects)], ["ingest.my_plant.iot"]);
  const rejects = await (await fetch(`${s.url}/api/uploads/${created.id}/rejects`, { headers: admin })).text();
  assert.match(rejects, /^line,reason,row\n2,not JSON: [^\n]*,\{not json\n4,not a JSON object,"\[1,2\]"\n$/);
});
