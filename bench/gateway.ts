/**
 * Ingestion gateway throughput: requests/s, records/s and latency percentiles of
 * `POST /api/ingest/<source>` (single records and JSON-array batches), measured by a load
 * generator in ANOTHER process (node:http keep-alive agent, N concurrent connections, closed
 * loop) against the real web server + gateway + private nats-server on loopback. Then the
 * CustomRouter's drain rate: the records just ingested (market → TRADES, the rest → lake tables).
 * Options: GATEWAY_BENCH_SECONDS (per scenario, default 6), GATEWAY_BENCH_CONNECTIONS (default 32),
 * GATEWAY_BENCH_BATCH (records per batched request, default 100).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { CustomRouter, ensureCustomStreams } from "../src/custom/index.js";
import { Lake } from "../src/lake/index.js";
import { TradeLogPublisher, silentLogger } from "../src/ingest/index.js";
import { createWebServer } from "../src/web/index.js";
import { createIngestGateway } from "../src/web/server/gateway/index.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { pollUntil, withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";
import { describeJetStream } from "./runner/jetstream-waiting.js";
import { envNumber } from "./runner/env.js";

const KEY = "bench-key-0001";

/** The load generator, run with `node --input-type=module -e`: prints one JSON line of results. */
const LOADGEN = `
import http from "node:http";
const { url, seconds, connections, body, key } = JSON.parse(process.argv[1]);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
const payload = Buffer.from(body);
const lat = [];
const statuses = {};
let requests = 0;
const end = performance.now() + seconds * 1000;
function once() {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: "POST",
      headers: { "content-type": "application/json", "content-length": payload.length, "x-api-key": key } }, (res) => {
      res.resume();
      res.on("end", () => { lat.push(performance.now() - t0); statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1; resolve(); });
    });
    req.on("error", () => { statuses.error = (statuses.error ?? 0) + 1; resolve(); });
    req.end(payload);
  });
}
async function worker() { while (performance.now() < end) { await once(); requests++; } }
const started = performance.now();
await Promise.all(Array.from({ length: connections }, worker));
const elapsed = (performance.now() - started) / 1000;
lat.sort((a, b) => a - b);
const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
console.log(JSON.stringify({ requests, elapsed, statuses, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat[lat.length - 1] ?? NaN }));
agent.destroy();
`;

interface LoadResult {
  requests: number;
  elapsed: number;
  statuses: Record<string, number>;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The load generator's run, under a deadline of its duration plus a minute (it is killed on expiry). */
function loadgen(args: { url: string; seconds: number; connections: number; body: string; key: string }): Promise<LoadResult> {
  let child: ReturnType<typeof spawn> | undefined;
  let out = "";
  return withDeadline(
    `the load generator (${args.seconds} s run)`,
    args.seconds * 1000 + 60_000,
    (signal) =>
      new Promise<LoadResult>((resolve, reject) => {
        const c = spawn(process.execPath, ["--input-type=module", "-e", LOADGEN, JSON.stringify(args)], { stdio: ["ignore", "pipe", "inherit"] });
        child = c;
        signal.addEventListener("abort", () => c.kill("SIGKILL"));
        c.stdout.on("data", (d: Buffer) => (out += d.toString()));
        c.once("error", reject);
        c.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").pop()!) as LoadResult) : reject(new Error(`load generator exited with ${code}`))));
      }),
    () => `load generator pid ${child?.pid}, exit code ${child?.exitCode}, ${out.length} bytes of output`,
  );
}

export async function run(): Promise<void> {
  const seconds = envNumber("GATEWAY_BENCH_SECONDS", 6);
  const connections = envNumber("GATEWAY_BENCH_CONNECTIONS", 32);
  const batch = envNumber("GATEWAY_BENCH_BATCH", 100);
  const dir = mkdtempSync(join(tmpdir(), "gateway-bench-"));
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  await ensureCustomStreams(nc);
  const gateway = createIngestGateway({ nc, apiKeys: `*:${KEY}`, maxBodyBytes: 4 * 1024 * 1024 });
  await using server = await createWebServer({ port: 0, nc, statusProvider: async () => [], staticDir: dir, gateway });
  const now = Date.now();
  const market = (i: number) => ({ symbol: `W${i % 10}`, price: 100 + (i % 50) / 10, quantity: 1.5, timestamp: now + i });
  const iot = (i: number) => ({ data_type: "iot", payload: { sensor_id: `s-${i % 20}`, temperature_c: 20 + (i % 7), vibration: 0.3, timestamp: now + i } });
  const scenarios = [
    { name: "single market record", records: 1, body: JSON.stringify(market(1)) },
    { name: "single iot envelope", records: 1, body: JSON.stringify(iot(1)) },
    { name: `batch of ${batch} market records`, records: batch, body: JSON.stringify(Array.from({ length: batch }, (_, i) => market(i))) },
    { name: `batch of ${batch} iot envelopes`, records: batch, body: JSON.stringify(Array.from({ length: batch }, (_, i) => iot(i))) },
  ];
  console.log(`gateway: ${connections} keep-alive connections from a separate load-generator process, ${seconds} s per scenario, loopback`);
  console.log("| scenario | requests/s | records/s | p50 ms | p90 ms | p99 ms | max ms | non-202 |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const sc of scenarios) {
    phase(`load: ${sc.name}`);
    const r = await loadgen({ url: `${server.url}/api/ingest/bench`, seconds, connections, body: sc.body, key: KEY });
    const ok = r.statuses["202"] ?? 0;
    const bad = r.requests - ok;
    record(`HTTP ingestion from another process, ${sc.name}`, r.requests / r.elapsed, "req/s", `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; non-202 ${bad}`);
    if (sc.records > 1) record(`HTTP ingestion from another process, ${sc.name}`, (ok * sc.records) / r.elapsed, "records/s");
    console.log(`| ${sc.name} | ${(r.requests / r.elapsed).toFixed(0)} | ${((ok * sc.records) / r.elapsed).toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p90.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${bad} |`);
  }

  // Router drain: everything just ingested, routed to TRADES and the lake.
  const jsm = await jetstreamManager(nc);
  const last = (await jsm.streams.info("CUSTOM")).state.last_seq;
  const publisher = await TradeLogPublisher.start(nc, { spoolDir: join(dir, "spool"), log: silentLogger });
  const started = performance.now();
  const router = await CustomRouter.start(nc, { lake: Lake.open(join(dir, "lake")), publisher, maxPendingMessages: 20_000, maxAgeMs: 2000 });
  phase("router drain");
  await pollUntil(`the router to ack CUSTOM up to ${last}`, 300_000, () => router.status().ackedSeq >= last, async () => `router ${JSON.stringify(router.status())}\n${await describeJetStream(nc)}`);
  const secs = (performance.now() - started) / 1000;
  const st = router.status();
  const records = st.trades + st.rows;
  record("custom router drain (CUSTOM → TRADES and lake tables)", records / secs, "records/s", `${last} messages, ${st.commits} commits`);
  console.log(`router: ${last} CUSTOM messages = ${records} records (${st.trades} trades → TRADES, ${st.rows} rows → lake, ${st.commits} commits) routed and committed in ${secs.toFixed(1)} s = ${(records / secs).toFixed(0)} records/s, ${(last / secs).toFixed(0)} messages/s`);
  await router.close();
  await publisher.close();
  await server.close();
  await nc.close();
  rmSync(dir, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
