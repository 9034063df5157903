import type { PartitionTail } from "./partition-log.js";
import type { IdleClock, IdleMarkOptions } from "./idle-marks.js";
import type { Clock } from "../runtime/clock.js";
import type { Trade } from "../market/trade.js";
import type { IngestLogger } from "./log.js";
import type { RestPriority } from "./rest-gate.js";
import type { SpoolRecordHeader, SpoolTicket } from "./spool.js";

/**
 * direct: batches go to JetStream. failing: a publish failed, waiting for in-flight publishes to
 * settle before moving the backlog to disk. spooling: NATS unreachable, batches go to the spool.
 * draining: NATS is back, the spool is published in order (new batches still go behind it).
 */
export type PublisherMode = "direct" | "failing" | "spooling" | "draining";

export interface PublisherOptions {
  /** JetStream stream holding `md.trades.>`. Default "TRADES". */
  tradesStream?: string;
  /** Stream holding `dlq.>`. Default "DLQ". */
  dlqStream?: string;
  /** Partitions in the subject `md.trades.<partition>.<SYMBOL>`. Default 32. */
  partitions?: number;
  /** A batch is sealed at this many trades. Default 1000. */
  maxBatchTrades?: number;
  /** An open batch is sealed this long after its first trade (ms) when its symbol has none in flight. Default 5. */
  lingerMs?: number;
  /**
   * Publish budget of a busy node: with many partitions trading the linger grows to (active
   * partitions × 1000 / budget) ms (at 32 partitions 6.4 ms, at 256 51 ms). Default 5000.
   */
  maxPublishesPerSecond?: number;
  /**
   * Publish budget of a node whose event loop has room (load up to 0.75), for latency. The budget
   * falls to `maxPublishesPerSecond` as the load goes from 0.75 to 0.95 (linger.ts). Default 50000.
   */
  idlePublishesPerSecond?: number;
  /** The event loop's load, 0..1. Default: this process's utilisation (`eventLoopLoad()`). */
  load?: () => number;
  /** Publishes awaiting their ack, over all subjects (one per partition or DLQ subject at a time). Default 1024. */
  maxInFlight?: number;
  /** PubAck timeout (ms). Default 5000. */
  publishTimeoutMs?: number;
  /** Above this many sealed batches held in memory, pressure is reported (the client pauses). Default 20000. */
  maxQueuedBatches?: number;
  /** Spool directory. Default ./data/spool. */
  spoolDir?: string;
  /** Spool bound (bytes); when reached, pressure is reported. Default 1 GiB. */
  spoolMaxBytes?: number;
  spoolSegmentBytes?: number;
  /** A partition message carries every key's last id (a checkpoint) when its lane's last one is this old (ms). Default 1000. */
  checkpointMs?: number;
  /** While spooling, how often NATS is probed (ms). Default 500. */
  probeIntervalMs?: number;
  /**
   * Fills a trade-id gap (consecutive-id sources) from the exchange's history before the trades
   * after it go in; ids it cannot return are counted as the gap. Unset: gaps are only counted.
   */
  backfill?: BackfillFn;
  /**
   * After `adopt`, a symbol that has seen no trade for this long is caught up from `backfill`
   * (its previous reader may have died after its last trade, which no later trade would reveal).
   * Default 3000 ms.
   */
  catchUpAfterMs?: number;
  /**
   * Idle watermarks (idle-marks.ts): a symbol quiet for `afterMs` gets a mark in the log that moves
   * its event time on, so its last windows close. Unset or afterMs 0: event time moves only with
   * trades. `live` says whether the symbol's feed is up: while it is down, trades may still come
   * for that time (a reconnect's gap fill), so no mark is written.
   */
  idleMarks?: IdleMarkOptions & { live?: (source: string, symbol: string) => boolean };
  clock?: Clock;
  log?: IngestLogger;
}

/**
 * Asks the exchange's history for ids `fromId..toId`. `request.priority`: "fill" for a gap fill
 * (it holds the symbol's live trades), "catch-up" for a catch-up (it holds none), so a node's
 * shared REST budget serves fills first; `request.signal` aborts a catch-up a live trade made moot.
 */
export type BackfillFn = (source: string, symbol: string, fromId: number, toId: number, request?: { priority: RestPriority; signal?: AbortSignal }) => Promise<{ trades: Trade[] }>;

/**
 * A trade id gap the exchange's history could not fill. The ingest actor publishes each on
 * `eventSubject("ingest", "gap", <SYMBOL>)` (kept by the EVENTS stream): `admin verify` subtracts
 * these exchange gaps from the holes it finds in the log.
 */

export interface GapEvent {
  source: string;
  symbol: string;
  /** First and last missing id. */
  fromId: number;
  toId: number;
  missing: number;
}

/** A symbol's trade counts since the publisher started. */
export interface SymbolCounts {
  accepted: number;
  published: number;
  duplicates: number;
  gaps: number;
  missing: number;
  /** Trades of gaps filled from the exchange's REST history. */
  backfilled: number;
}

export interface SymbolStatus extends SymbolCounts {
  source: string;
  symbol: string;
  lastId: number | null;
}

export interface PublisherStatus {
  mode: PublisherMode;
  paused: boolean;
  accepted: number;
  /** Trades acked by JetStream (including ones JetStream reported as duplicate Msg-Ids). */
  published: number;
  duplicatesDropped: number;
  /** DLQ records JetStream already held (same Nats-Msg-Id within its duplicate window). */
  duplicateBatchAcks: number;
  /** Trades cut from a batch because the log already held them (a spooled batch whose ack was lost, or another publisher of the symbol). */
  alreadyInLog: number;
  /** Publishes refused because the subject's tail moved (another publisher wrote it): re-read, trimmed, sent again. */
  tailConflicts: number;
  gaps: number;
  missingTrades: number;
  backfilled: number;
  /** Catch-ups after takeovers nobody answered (`adopt`), and those a live trade made moot before their answer (aborted, no REST turn used after it). */
  catchUps: number;
  catchUpsMoot: number;
  invalid: number;
  /** Idle watermarks and end-of-stream marks logged (idle-marks.ts, `endOfStream`). */
  idleMarks: number;
  endMarks: number;
  dlqPublished: number;
  /** Per-symbol batches and marks in the log, and the per-partition messages that carried them. */
  batchesPublished: number;
  messagesPublished: number;
  publishFailures: number;
  /** Trades held: their symbol's mark is being read, a gap is being filled, or a takeover is under way. */
  held: number;
  /** Symbols filling a trade-id gap from the exchange's history right now. */
  backfilling: number;
  inFlight: number;
  queuedBatches: number;
  spool: { bytes: number; segments: number; records: number; spooledBatches: number };
  lastError: string | null;
  symbols: SymbolStatus[];
}

/**
 * One lane per subject, at most one publish in flight, so the stream holds each subject in order.
 * A partition lane (`md.trades.<p>.all`) sends the batches of many symbols as one message
 * (partition-log.ts); a DLQ lane sends one batch per message.
 */
export interface Lane {
  subject: string;
  /** A partition lane: its batches are keys' trades and marks. */
  partition: boolean;
  /** Batches waiting, the ones in flight first. */
  queue: OutBatch[];
  inFlight: boolean;
  /**
   * Partition lanes: the subject's tail as this publisher knows it (every key's last id, as of the
   * subject's last sequence), unknown until read from the stream. Every publish expects its
   * sequence (`Nats-Expected-Last-Subject-Sequence`), so a message lands only on the tail it was
   * trimmed against: two publishers of one symbol can never double a trade.
   */
  tail: PartitionTail | undefined;
  refreshing: boolean;
  /** When this lane last wrote a checkpoint (ms). */
  checkpointAt: number;
}

export interface KeyState extends SymbolCounts {
  source: string;
  symbol: string;
  /** Its partition's lane. */
  lane: Lane;
  /**
   * Its last id on its per-symbol subject (`tradeLogSubject`: a log written before per-partition
   * messages), read once since nothing writes there any more; `legacyRead` once known.
   */
  legacyLastId: number | undefined;
  legacyRead: boolean;
  /** Its batches in memory: queued in its lane or in flight. */
  pending: number;
  hwm: number | undefined;
  /** loading: its mark is being read; backfilling: a gap is being filled. Trades are held in both. */
  phase: "loading" | "backfilling" | "ready";
  /** A takeover is under way (`hold`): trades stay held until `adopt`, even once the mark is read. */
  holding: boolean;
  /** A catch-up (the exchange's history after the mark) waiting for its answer, live trades not held meanwhile; a live trade aborts it. */
  catchUp: AbortController | null;
  /** Trades taken for this key so far, held or not (duplicates too). */
  received: number;
  /** `received` when the last takeover began (`hold`, else `adopt`). */
  receivedAtTakeover: number;
  held: Trade[];
  open: Trade[];
  openSince: number;
  /** For idle marks (set when a batch is sealed): the newest trade time logged here, when it arrived, the last mark's watermark. */
  idle: IdleClock | null;
}

export interface OutBatch {
  lane: Lane;
  /** The key of a trade batch or mark; null on a DLQ lane. */
  key: KeyState | null;
  header: SpoolRecordHeader;
  payload: Uint8Array;
  trades: number;
  /** Set when the batch was read back from the spool (ack it there once published). */
  ticket: SpoolTicket | null;
}
