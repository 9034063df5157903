/**
 * The sending half of the trade log publisher: one lane per subject with at most one publish in
 * flight (so the stream holds every subject in order), many lanes in parallel, and the fallback
 * to the disk spool: direct → failing → spooling → draining → direct (see README.md, "Spool").
 *
 * A partition lane sends its queued batches, at most one per symbol, as one per-partition message
 * (partition-log.ts): each batch's JSON is spliced in as it was sealed. Before a send it trims
 * every batch to the ids above the lane's tail; the publish expects the tail's sequence, and a
 * conflict (another publisher wrote the subject) reads the tail again, trims and sends again.
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager, type PubAck } from "@nats-io/jetstream";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import { decodeTradeBatch, decodeTradeBatchHeader, encodeTradeBatch } from "./batch-codec.js";
import { CoalescedRead } from "./coalesced-read.js";
import { aboveMark } from "./dedup.js";
import { Listeners, type IngestLogger } from "./log.js";
import { advanceTailOwn, spliceEntries, type EntryLastId, type PartitionTail } from "./partition-log.js";
import { readPartitionTail } from "./partition-tail.js";
import type { DiskSpool } from "./spool.js";
import type { KeyState, Lane, OutBatch, PublisherMode } from "./publisher-types.js";

export interface SenderHooks {
  /** A batch is in the log (acked), or needed no publish (`trades` 0: the log held it all). */
  acked(batch: OutBatch): void;
  /** The key of a trade batch read back from the spool (it may be unknown after a restart). */
  keyFor(source: string, symbol: string): KeyState;
  /** Reads the key's last id in the per-symbol log written before the per-partition layout (sets legacyLastId, legacyRead). */
  readLegacy(key: KeyState): Promise<void>;
  /** A partition lane's tail was read from the stream (another publisher may have moved it). */
  tailRead(lane: Lane, tail: PartitionTail): void;
  /** Something that pressure or idleness depend on changed. */
  changed(): void;
}

export interface SenderOptions {
  maxInFlight: number;
  publishTimeoutMs: number;
  probeIntervalMs: number;
  tradesStream: string;
  dlqStream: string;
  /** The server's max payload: a partition message is cut below it. */
  maxMessageBytes: number;
  /** A partition message is a checkpoint when the lane's last one is this old (ms). */
  checkpointMs: number;
}

export class LogSender {
  readonly modes = new Listeners<PublisherMode>();
  readonly spool: DiskSpool;
  readonly stats = { batchesPublished: 0, messagesPublished: 0, duplicateBatchAcks: 0, alreadyInLog: 0, tailConflicts: 0, dlqPublished: 0, publishFailures: 0, spooledBatches: 0 };
  lastError: string | null = null;
  #js: JetStreamClient;
  #jsm: JetStreamManager;
  #o: SenderOptions;
  #clock: Clock;
  #log: IngestLogger;
  #hooks: SenderHooks;
  #lanes = new Map<string, Lane>();
  #tailReads = new Map<Lane, CoalescedRead<PartitionTail>>();
  #ready = new Set<Lane>();
  #mode: PublisherMode = "direct";
  #inFlight = 0;
  #memBatches = 0;
  #loadedFromSpool = 0;
  #probe: TimerHandle | null = null;
  #probing = false;
  #closed = false;
  #epoch = 0;
  /** The lanes are being worked on (a pump, or acks handed out): batches routed meanwhile are picked up when it ends. */
  #busy = false;

  constructor(js: JetStreamClient, jsm: JetStreamManager, spool: DiskSpool, options: SenderOptions, clock: Clock, log: IngestLogger, hooks: SenderHooks) {
    this.#js = js;
    this.#jsm = jsm;
    this.spool = spool;
    this.#o = options;
    this.#clock = clock;
    this.#log = log;
    this.#hooks = hooks;
    if (!spool.isEmpty) {
      log.info("spool holds batches from an earlier run; publishing them first", { records: spool.records });
      this.#setMode("spooling");
      this.#scheduleProbe(0);
    }
  }

  get mode(): PublisherMode {
    return this.#mode;
  }
  get inFlight(): number {
    return this.#inFlight;
  }
  /** Sealed batches held in memory (not on disk). */
  get queuedBatches(): number {
    return this.#memBatches;
  }
  get idle(): boolean {
    return this.#mode === "direct" && this.#inFlight === 0 && this.#memBatches === 0 && this.#loadedFromSpool === 0 && this.spool.isEmpty;
  }

  lane(subject: string, partition: boolean): Lane {
    let lane = this.#lanes.get(subject);
    if (lane === undefined) {
      lane = { subject, partition, queue: [], inFlight: false, tail: undefined, refreshing: false, checkpointAt: 0 };
      this.#lanes.set(subject, lane);
    }
    return lane;
  }

  /**
   * The partition subject's tail as the stream holds it now, read after this call (calls while a
   * read runs share the next one). For the publisher's marks; the lane keeps its own tail.
   */
  readTail(lane: Lane): Promise<PartitionTail> {
    let read = this.#tailReads.get(lane);
    if (read === undefined) this.#tailReads.set(lane, (read = new CoalescedRead(() => readPartitionTail(this.#js, this.#jsm, this.#o.tradesStream, lane.subject))));
    return read.get();
  }

  /** A sealed batch: to JetStream, or behind the spool while NATS is away. */
  route(batch: OutBatch): void {
    if (this.#mode === "spooling" || this.#mode === "draining") this.#toSpool(batch);
    else {
      this.#enqueue(batch);
      if (!this.#busy) this.#pump();
    }
  }

  /** The lane may send again (a key it waited for became known). */
  wake(lane: Lane): void {
    this.#ready.add(lane);
    if (!this.#busy) this.#pump();
  }

  /** Stops probing and writes every batch still in memory to the spool (in-flight ones too). */
  close(): void {
    this.#closed = true;
    this.#probe?.cancel();
    for (const lane of this.#lanes.values()) {
      // If an in-flight one did land, the next start's drain finds it in the stream and trims it.
      for (const b of lane.queue) if (b.ticket === null) this.spool.append({ header: b.header, payload: b.payload });
      lane.queue = [];
    }
    this.spool.close();
  }

  #enqueue(batch: OutBatch): void {
    batch.lane.queue.push(batch);
    if (batch.key !== null) batch.key.pending++;
    if (batch.ticket === null) this.#memBatches++;
    else this.#loadedFromSpool++;
    this.#ready.add(batch.lane);
  }

  #toSpool(batch: OutBatch): void {
    this.spool.append({ header: batch.header, payload: batch.payload });
    this.stats.spooledBatches++;
  }

  /** A batch leaves memory: in the log, or needing no publish. */
  #settle(batch: OutBatch): void {
    if (batch.key !== null) batch.key.pending--;
    if (batch.ticket !== null) {
      this.spool.ack(batch.ticket);
      this.#loadedFromSpool--;
    } else this.#memBatches--;
  }

  // ---- sending ---------------------------------------------------------------------------

  #pump(): void {
    if (this.#mode !== "direct" && this.#mode !== "draining") return;
    this.#busy = true;
    try {
      this.#pumpLanes();
    } finally {
      this.#busy = false;
    }
  }

  #pumpLanes(): void {
    for (const lane of this.#ready) {
      if (this.#inFlight >= this.#o.maxInFlight) return;
      this.#ready.delete(lane);
      if (lane.inFlight || lane.refreshing) continue;
      const head = lane.queue[0];
      if (head === undefined) continue;
      if (!lane.partition) {
        this.#sendOne(lane, head);
        continue;
      }
      if (lane.tail === undefined || !head.key!.legacyRead) {
        this.#refresh(lane);
        continue;
      }
      // Decided once: the room #take leaves for a checkpoint is for the message #sendPartition encodes.
      const checkpoint = this.#checkpointDue(lane, lane.tail);
      const batches = this.#take(lane, lane.tail, checkpoint);
      if (batches.length > 0) this.#sendPartition(lane, lane.tail, batches, checkpoint);
      else if (lane.queue.length > 0) this.#ready.add(lane);
    }
  }

  /** A DLQ record: one message, its Msg-Id de-duplicating a resend. */
  #sendOne(lane: Lane, batch: OutBatch): void {
    this.#began(lane);
    this.#js.publish(lane.subject, batch.payload, { timeout: this.#o.publishTimeoutMs, ...(batch.header.msgId === undefined ? {} : { msgID: batch.header.msgId }) }).then(
      (ack) => {
        if (ack.duplicate) this.stats.duplicateBatchAcks++;
        this.stats.dlqPublished++;
        this.#landed(lane, [batch]);
      },
      (err: unknown) => this.#onFail(lane, err),
    );
  }

  /**
   * The queue's head as one message: trimmed against the tail (batches the log holds entirely
   * are settled here), at most one batch per key, below the server's max payload. It stops at a
   * key's second batch, and at a key whose pre-partition last id is not known yet.
   */
  #take(lane: Lane, tail: PartitionTail, checkpoint: boolean): OutBatch[] {
    const taken: OutBatch[] = [];
    const keys = new Set<KeyState>();
    // A checkpoint carries every key's last id: leave room for it.
    let room = this.#o.maxMessageBytes - 64 - (checkpoint ? 48 * (tail.lastIds.size + 1) + 256 : 0);
    let i = 0;
    let dropped = 0;
    while (i < lane.queue.length) {
      const batch = lane.queue[i]!;
      const key = batch.key!;
      if (keys.has(key) || !key.legacyRead) break;
      if (!this.#trim(batch, tail, key)) {
        lane.queue.splice(i, 1);
        this.#settle(batch);
        this.#hooks.acked({ ...batch, trades: 0 });
        dropped++;
        continue;
      }
      const size = batch.payload.length + 1 + (32 + key.symbol.length + key.source.length);
      if (taken.length > 0 && size > room) break;
      room -= size;
      keys.add(key);
      taken.push(batch);
      i++;
    }
    if (dropped > 0) this.#hooks.changed();
    return taken;
  }

  #checkpointDue(lane: Lane, tail: PartitionTail): boolean {
    return tail.checkpointSeq === undefined || this.#clock.now() - lane.checkpointAt >= this.#o.checkpointMs;
  }

  #sendPartition(lane: Lane, tail: PartitionTail, batches: OutBatch[], checkpoint: boolean): void {
    const lastIds: EntryLastId[] = batches.map((b) => ({ source: b.key!.source, symbol: b.key!.symbol, lastId: b.header.lastId! }));
    const payload = spliceEntries(batches.map((b) => b.payload), lastIds, tail, checkpoint);
    this.#began(lane);
    this.#js.publish(lane.subject, payload, { timeout: this.#o.publishTimeoutMs, expect: { lastSubjectSequence: tail.seq } }).then(
      (ack: PubAck) => {
        advanceTailOwn(tail, ack.seq, lastIds, checkpoint);
        if (checkpoint) lane.checkpointAt = this.#clock.now();
        this.stats.messagesPublished++;
        this.stats.batchesPublished += batches.length;
        this.#landed(lane, batches);
      },
      (err: unknown) => (isTailConflict(err) ? this.#onTailConflict(lane) : this.#onFail(lane, err)),
    );
  }

  #began(lane: Lane): void {
    lane.inFlight = true;
    this.#inFlight++;
  }

  #ended(lane: Lane): void {
    this.#inFlight--;
    lane.inFlight = false;
  }

  #landed(lane: Lane, batches: OutBatch[]): void {
    this.#ended(lane);
    lane.queue.splice(0, batches.length);
    this.#busy = true;
    try {
      for (const b of batches) {
        this.#settle(b);
        this.#hooks.acked(b);
      }
    } finally {
      this.#busy = false;
    }
    if (lane.queue.length > 0) this.#ready.add(lane);
    this.#afterSettle();
    this.#hooks.changed();
  }

  #afterSettle(): void {
    if (this.#mode === "failing") {
      if (this.#inFlight === 0) this.#finishFailover();
    } else {
      if (this.#mode === "draining") this.#loadFromSpool();
      this.#pump();
    }
  }

  /** Another publisher wrote the subject since we read its tail: read it again, trim, resend. Not a failure. */
  #onTailConflict(lane: Lane): void {
    this.#ended(lane);
    lane.tail = undefined;
    this.stats.tailConflicts++;
    this.#ready.add(lane);
    this.#afterSettle();
  }

  #onFail(lane: Lane, err: unknown): void {
    this.#ended(lane);
    this.stats.publishFailures++;
    this.#failed(lane.subject, err);
  }

  #failed(subject: string, err: unknown): void {
    this.lastError = String(err);
    if (this.#closed) return; // close() already put every unconfirmed batch on disk
    if (this.#mode === "direct" || this.#mode === "draining") {
      this.#log.warn("publish failed; spooling to disk until NATS is back", { subject, error: this.lastError });
      this.#setMode("failing");
    }
    if (this.#mode === "failing" && this.#inFlight === 0) this.#finishFailover();
  }

  /** Every publish has settled: what is still queued in memory goes to disk, in lane order. */
  #finishFailover(): void {
    this.#epoch++;
    this.spool.rewind(); // spool-read batches in memory are still on disk: read them again later
    this.#loadedFromSpool = 0;
    for (const lane of this.#lanes.values()) {
      for (const b of lane.queue) {
        if (b.key !== null) b.key.pending--;
        if (b.ticket === null) this.#toSpool(b);
      }
      lane.queue = [];
      lane.tail = undefined;
    }
    this.#memBatches = 0;
    this.#ready.clear();
    this.#setMode("spooling");
    this.#scheduleProbe(this.#o.probeIntervalMs);
    this.#hooks.changed();
  }

  // ---- spool drain -----------------------------------------------------------------------

  #scheduleProbe(delayMs: number): void {
    if (this.#probe !== null || this.#closed) return;
    this.#probe = this.#clock.setTimeout(() => {
      this.#probe = null;
      void this.#runProbe();
    }, delayMs);
  }

  async #runProbe(): Promise<void> {
    if (this.#mode !== "spooling" || this.#probing) return;
    this.#probing = true;
    try {
      // Both streams: a missing DLQ would fail the drain again at its first rejected frame.
      await this.#jsm.streams.info(this.#o.tradesStream);
      await this.#jsm.streams.info(this.#o.dlqStream);
      this.#log.info("NATS is back; publishing the spool", { records: this.spool.records, bytes: this.spool.bytes });
      this.#setMode("draining");
      this.#loadFromSpool();
      this.#pump();
      this.#hooks.changed();
    } catch {
      this.#scheduleProbe(this.#o.probeIntervalMs);
    } finally {
      this.#probing = false;
    }
  }

  #loadFromSpool(): void {
    const limit = Math.max(64, Math.min(4096, this.#o.maxInFlight * 4));
    while (this.#mode === "draining" && this.#loadedFromSpool < limit) {
      const next = this.spool.readNext();
      if (next === null) {
        // Everything on disk is loaded: new batches can queue in memory behind it.
        this.#setMode("direct");
        return;
      }
      const h = next.record.header;
      const key = h.source !== undefined && h.symbol !== undefined ? this.#hooks.keyFor(h.source, h.symbol) : null;
      const lane = key?.lane ?? this.lane(h.subject, false);
      // A spool written before the per-partition layout names the symbol's subject: the key's lane takes it.
      const trades = h.firstId === undefined ? 0 : decodeTradeBatchHeader(next.record.payload).count;
      this.#enqueue({ lane, key, header: { ...h, subject: lane.subject }, payload: next.record.payload, trades, ticket: next.ticket });
    }
  }

  /** Reads the lane's tail, and the pre-partition last id of every key queued there not yet known. */
  #refresh(lane: Lane): void {
    lane.refreshing = true;
    const epoch = this.#epoch;
    const unknown = new Set<KeyState>();
    for (const b of lane.queue) if (!b.key!.legacyRead) unknown.add(b.key!);
    Promise.all([readPartitionTail(this.#js, this.#jsm, this.#o.tradesStream, lane.subject), ...[...unknown].map((k) => this.#hooks.readLegacy(k))]).then(
      ([tail]) => {
        lane.refreshing = false;
        if (epoch !== this.#epoch) return; // a failover happened meanwhile: the next drain asks again
        lane.tail = tail;
        this.#hooks.tailRead(lane, tail);
        this.#ready.add(lane);
        this.#pump();
      },
      (err: unknown) => {
        lane.refreshing = false;
        if (epoch !== this.#epoch) return;
        this.#ready.add(lane);
        this.#failed(lane.subject, err);
      },
    );
  }

  /**
   * The log may already hold some of a batch's trades: a spooled batch whose ack was lost in the
   * outage, or another publisher of the symbol (an ingest handover overlaps). Drops the trades at
   * or below the key's last id in the log (the tail's, or its pre-partition subject's); false when
   * the whole batch was dropped.
   */
  #trim(batch: OutBatch, tail: PartitionTail, key: KeyState): boolean {
    const h = batch.header;
    const inTail = tail.lastIds.get(key.source, key.symbol);
    const last = inTail === undefined ? key.legacyLastId : key.legacyLastId === undefined ? inTail : Math.max(inTail, key.legacyLastId);
    if (last === undefined) return true;
    // A mark (no firstId) written after trades up to lastId: if the log has more trades since
    // (another publisher), its watermark is not ours to give: drop it, the next one is fresh.
    if (h.firstId === undefined) return h.lastId === undefined || h.lastId >= last;
    if (h.firstId > last) return true;
    const kept = aboveMark(decodeTradeBatch(batch.payload), last);
    this.stats.alreadyInLog += batch.trades - kept.length;
    if (kept.length === 0) return false;
    batch.header = { ...h, firstId: kept[0]!.tradeId };
    batch.payload = encodeTradeBatch(kept);
    batch.trades = kept.length;
    return true;
  }

  #setMode(mode: PublisherMode): void {
    if (this.#mode === mode) return;
    this.#mode = mode;
    this.modes.emit(mode);
  }
}

/** JetStream refused a publish because the subject's last sequence was not the one expected. */
function isTailConflict(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence;
}
