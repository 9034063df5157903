import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { decodeTradeLogTrades } from "../../src/ingest/partition-log.js";
import { ensureIngestStreams } from "../../src/ingest/bootstrap.js";
import { silentLogger } from "../../src/ingest/log.js";
import type { Trade } from "../../src/market/trade.js";
import { startNatsServer, type NatsServerHandle } from "../helpers/nats-server.js";
import { sharedData } from "../helpers/shared-data.js";

export const RECORDING = sharedData("binance-recorded/btcusdt-trade-stream_2024-08-08T2354Z_2024-08-09T0005Z.jsonl");
export const FIRST_ID = 3735683259;
export const LAST_ID = 3735703162;
export const log = silentLogger;

export interface Stack extends AsyncDisposable {
  server: NatsServerHandle;
  nc: NatsConnection;
  spoolDir: string;
  tmp: string;
}

/** A private nats-server with TRADES and DLQ, a connection, and a temporary directory; `natsArgs` go to the server. */
export async function startStack(natsArgs: string[] = []): Promise<Stack> {
  const server = await startNatsServer({ extraArgs: natsArgs });
  const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  await ensureIngestStreams(nc);
  const tmp = mkdtempSync(join(tmpdir(), "ingest-test-"));
  return {
    server,
    nc,
    tmp,
    spoolDir: join(tmp, "spool"),
    async [Symbol.asyncDispose]() {
      await nc.close().catch(() => {});
      await server[Symbol.asyncDispose]();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Every message of a stream, in order. */
export async function readStream(nc: NatsConnection, stream: string): Promise<Array<{ subject: string; data: Uint8Array }>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const total = info.state.messages;
  const out: Array<{ subject: string; data: Uint8Array }> = [];
  if (total === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream);
  const messages = await consumer.consume();
  for await (const m of messages) {
    out.push({ subject: m.subject, data: m.data });
    if (out.length >= total) break;
  }
  await messages.close();
  return out;
}

/** All trades in TRADES, messages of either layout decoded, in log order. */
export async function readTrades(nc: NatsConnection): Promise<Trade[]> {
  return (await readStream(nc, "TRADES")).flatMap((m) => decodeTradeLogTrades(m.data));
}

/** Asserts ids form first..last exactly once, in order; returns a description of the first problem. */
export function contiguityProblem(trades: Trade[], first: number, last: number): string | null {
  if (trades.length !== last - first + 1) return `expected ${last - first + 1} trades, got ${trades.length}`;
  for (let i = 0; i < trades.length; i++) if (trades[i]!.tradeId !== first + i) return `position ${i}: id ${trades[i]!.tradeId}, expected ${first + i}`;
  return null;
}

/** data.binance.vision layout from the recording: id, price, qty, quote_qty, time, is_buyer_maker, is_best_match. */
export function recordedCsvRows(from: number, to: number): string[] {
  const lines = readFileSync(RECORDING, "utf8").trim().split("\n").slice(from, to);
  return lines.map((l) => {
    const d = (JSON.parse(l) as { data: { t: number; p: string; q: string; T: number; m: boolean; M: boolean } }).data;
    const cap = (b: boolean) => (b ? "True" : "False");
    return `${d.t},${d.p},${d.q},${(Number(d.p) * Number(d.q)).toFixed(8)},${d.T},${cap(d.m)},${cap(d.M)}`;
  });
}
