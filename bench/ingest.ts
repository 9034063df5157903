/**
 * Sustained ingest throughput: synthetic market at max speed (simulator in its own process) →
 * WebSocket → client → publisher → JetStream (private nats-server), at 10 and 1,000 symbols.
 * Zero loss is checked by reading the stream back: trade count and per-symbol id contiguity.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { decodeTradeLogTrades } from "../src/ingest/partition-log.js";
import { ensureIngestStreams } from "../src/ingest/bootstrap.js";
import { Ingestor } from "../src/ingest/ingestor.js";
import { silentLogger } from "../src/ingest/log.js";
import { defaultSymbols } from "../src/simulator/synthetic-source.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { freePort } from "../test/helpers/ports.js";
import { pollUntil, withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";
import { describeJetStream } from "./runner/jetstream-waiting.js";
import { cpuSeconds } from "./runner/process-cpu.js";

const TRADES = Number(process.env.BENCH_INGEST_TRADES ?? 600_000);

export async function runOnce(symbolCount: number, total: number): Promise<void> {
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  await ensureIngestStreams(nc);
  const port = await freePort();
  const sim = spawn(process.execPath, ["--import", "tsx", "src/cli/simulator.ts", "--symbols", String(symbolCount), "--rate", "max", "--total", String(total), "--port", String(port), "--start", "all"], { stdio: ["ignore", "pipe", "inherit"] });
  const spool = mkdtempSync(join(tmpdir(), "bench-ingest-"));
  try {
    const simStats = async () => JSON.stringify(await (await fetch(`http://127.0.0.1:${port}/sim/stats`)).json());
    await pollUntil("simulator up", 30_000, async () => (await fetch(`http://127.0.0.1:${port}/sim/stats`)).ok, () => `simulator pid ${sim.pid}, exit code ${sim.exitCode}`);
    const symbols = defaultSymbols(symbolCount);
    const ingestor = await Ingestor.start(nc, { client: { baseUrl: `ws://127.0.0.1:${port}`, symbols, log: silentLogger }, publisher: { spoolDir: spool, log: silentLogger, ...(process.env.BENCH_INGEST_LINGER_MS ? { lingerMs: Number(process.env.BENCH_INGEST_LINGER_MS) } : {}) } });
    const describe = async () =>
      `publisher ${JSON.stringify(ingestor.publisher.status())}\nclient ${JSON.stringify(ingestor.client.status())}\nsimulator ${await simStats().catch((e: unknown) => String(e))}\n${await describeJetStream(nc)}`;
    await pollUntil("first trade", 30_000, () => ingestor.publisher.status().accepted > 0, describe);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const natsCpu0 = cpuSeconds(nats.process.pid);
    const simCpu0 = cpuSeconds(sim.pid);
    await pollUntil(`all ${total.toLocaleString("en")} trades received`, 300_000, () => ingestor.publisher.status().accepted + ingestor.publisher.status().duplicatesDropped >= total - 1, describe, { intervalMs: 50 });
    const tRecv = performance.now();
    await withDeadline("the publisher's final flush", 120_000, ingestor.publisher.flush(), describe);
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const natsCpu = cpuSeconds(nats.process.pid) - natsCpu0;
    const simCpu = cpuSeconds(sim.pid) - simCpu0;
    const st = ingestor.publisher.status();
    const client = ingestor.client.status();
    await ingestor.close();
    // Read back: count and per-symbol contiguity.
    const consumer = await jetstream(nc).consumers.get("TRADES");
    const msgs = await consumer.consume();
    const last = new Map<string, number>();
    let count = 0;
    let holes = 0;
    await withDeadline(
      "TRADES read back",
      120_000,
      async (signal) => {
        signal.addEventListener("abort", () => void msgs.close());
        for await (const m of msgs) {
          for (const t of decodeTradeLogTrades(m.data)) {
            const prev = last.get(t.symbol);
            if (prev !== undefined && t.tradeId !== prev + 1) holes++;
            last.set(t.symbol, t.tradeId);
            count++;
          }
          if (m.info.pending === 0) break;
        }
      },
      async () => `${count.toLocaleString("en")} trades read back so far\n${await describeJetStream(nc)}`,
    );
    await msgs.close();
    const secs = (t1 - t0) / 1000;
    console.log(
      `ingest ${symbolCount} symbols: ${st.published.toLocaleString("en")} trades in ${secs.toFixed(2)} s = ${Math.round(st.published / secs).toLocaleString("en")} trades/s ` +
        `(receive ${((tRecv - t0) / 1000).toFixed(2)} s, final flush ${((t1 - tRecv) / 1000).toFixed(2)} s); ${st.batchesPublished.toLocaleString("en")} batches (${(st.published / st.batchesPublished).toFixed(0)} trades/batch) in ${st.messagesPublished.toLocaleString("en")} messages; ` +
        `CPU: ingest ${((cpu.user + cpu.system) / 1e6 / secs * 100).toFixed(0)}%, simulator ${((simCpu / secs) * 100).toFixed(0)}%, nats-server ${((natsCpu / secs) * 100).toFixed(0)}% ` +
        `(CPU per trade, independent of other load: ingest ${((cpu.user + cpu.system) / st.published).toFixed(1)} µs, simulator ${((simCpu * 1e6) / st.published).toFixed(1)} µs, nats-server ${((natsCpu * 1e6) / st.published).toFixed(1)} µs); in log ${count.toLocaleString("en")} trades, id holes ${holes}, gaps ${st.gaps}, dups ${st.duplicatesDropped}, spooled ${st.spool.spooledBatches}, frames ${client.frames}` +
        (count === total && holes === 0 ? " — zero loss" : ` — LOSS: expected ${total}`),
    );
    record(
      `simulator → client → publisher → JetStream, ${symbolCount.toLocaleString("en")} symbols`,
      st.published / secs,
      "trades/s",
      `${count === total && holes === 0 ? "zero loss" : `LOSS: ${count} of ${total} in the log, ${holes} id holes`}; ${(st.published / st.batchesPublished).toFixed(0)} trades/batch; CPU µs/trade: ingest ${((cpu.user + cpu.system) / st.published).toFixed(1)}, nats-server ${((natsCpu * 1e6) / st.published).toFixed(1)}`,
    );
  } finally {
    sim.kill("SIGTERM");
    await nc.close();
    rmSync(spool, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  phase("10 symbols");
  await runOnce(10, TRADES);
  phase("1,000 symbols");
  await runOnce(1000, TRADES);
}

if (import.meta.url === `file://${process.argv[1]}`) run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
