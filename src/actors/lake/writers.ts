/**
 * The lake writers: one actor per table, each owning an exactly-once JetStream → Delta consumer
 * loop (src/lake/writer/jetstream.ts). Bronze takes TRADES batches, silver the SymbolActor's bars
 * from SILVER. The loop fails the actor when it fails, so the spawning supervisor restarts it.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { STREAMS } from "../../runtime/nats/spec.js";
import { LakeWriter, runLakeConsumer, bronzeTradesMapping, silverBarsMapping, silverTableRow, BRONZE_TRADES_APP_ID, SILVER_BARS_APP_ID, type FlushResult } from "../../lake/index.js";
import type { DeltaTable } from "../../lake/index.js";
import { decodeTradeLogTrades } from "../../ingest/partition-log.js";
import { loopActor } from "../loop/actor.js";
import { parseSilverBar } from "../../contracts/silver-bar.js";

export const BRONZE_WRITER = "lake-bronze";
export const SILVER_WRITER = "lake-silver";

export interface LakeWriterActorOptions {
  js: JetStreamClient;
  jsm: JetStreamManager;
  table: DeltaTable;
  onCommit(result: FlushResult): void;
  onError(error: unknown): void;
  /** A message that could not be decoded: skipped (the loop goes on), so it must be reported. */
  onReject(seq: number, subject: string, error: unknown): void;
}

/** Every trade of TRADES into the bronze table; the durable is `lake-bronze`. */
export function bronzeWriterActor(o: LakeWriterActorOptions) {
  return loopActor((signal) =>
    runLakeConsumer({
      js: o.js, jsm: o.jsm, signal, stream: STREAMS.trades, durable: BRONZE_WRITER,
      writer: new LakeWriter({ table: o.table, mapping: bronzeTradesMapping, appId: BRONZE_TRADES_APP_ID }),
      decode: decodeTradeLogTrades,
      onCommit: o.onCommit, onError: o.onError, onReject: o.onReject,
    }),
  );
}

/** Every bar of SILVER into the silver table, with its log sequence; the durable is `lake-silver`. */
export function silverWriterActor(o: LakeWriterActorOptions) {
  const decoder = new TextDecoder();
  return loopActor((signal) =>
    runLakeConsumer({
      js: o.js, jsm: o.jsm, signal, stream: STREAMS.silver, durable: SILVER_WRITER,
      writer: new LakeWriter({ table: o.table, mapping: silverBarsMapping, appId: SILVER_BARS_APP_ID }),
      decode: (data, _subject, seq) => [silverTableRow(parseSilverBar(JSON.parse(decoder.decode(data))), seq)],
      onCommit: o.onCommit, onError: o.onError, onReject: o.onReject,
    }),
  );
}
