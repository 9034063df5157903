/**
 * The sending half of the trade log publisher: one lane per subject with at most one publish in
 * flight (so the stream holds every subject in order), many lanes in parallel, and the fallback
 * to the disk spool: direct → failing → spooling → draining → direct (see README.md, "Spool").
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager, type PubAck } from "@nats-io/jetstream";
import type { Clock, TimerHandle } from "../runtime/clock.js";
import { batchMsgId, decodeTradeBatch, decodeTradeBatchHeader, encodeTradeBatch } from "./batch-codec.js";
import { aboveMark } from "./dedup.js";
import { Listeners, type IngestLogger } from "./log.js";
import type { DiskSpool } from "./spool.js";
import type { KeyState, Lane, OutBatch, PublisherMode, SubjectTail } from "./publisher-types.js";

export interface SenderHooks {
  /** A batch is in the log (acked, possibly as a JetStream duplicate). */
  acked(lane: Lane, batch: OutBatch): void;
  /** The key of a trade batch read back from the spool (it may be unknown after a restart). */
  keyFor(source: string, symbol: string): KeyState;
  /** The subject's last message, read from the stream (lastId only if it is a batch of this key). */
  streamTail(subject: string, source: string, symbol: string): Promise<SubjectTail>;
  /** The subject's tail was read from the stream (another publisher may have moved it). */
  tailRead(key: KeyState, tail: SubjectTail): void;
  /** Something that pressure or idleness depend on changed. */
  changed(): void;
}

export interface SenderOptions {
  maxInFlight: number;
  publishTimeoutMs: number;
  probeIntervalMs: number;
  tradesStream: string;
  dlqStream: string;
}

export class LogSender {
  readonly modes = new Listeners<PublisherMode>();
  readonly spool: DiskSpool;
  readonly stats = { batchesPublished: 0, duplicateBatchAcks: 0, alreadyInLog: 0, tailConflicts: 0, dlqPublished: 0, publishFailures: 0, spooledBatches: 0 };
  lastError: string | null = null;
  #js: JetStreamClient;
  #jsm: JetStreamManager;
  #o: SenderOptions;
  #clock: Clock;
  #log: IngestLogger;
  #hooks: SenderHooks;
  #lanes = new Map<string, Lane>();
  #ready = new Set<Lane>();
  #mode: PublisherMode = "direct";
  #inFlight = 0;
  #memBatches = 0;
  #loadedFromSpool = 0;
  #probe: TimerHandle | null = null;
  #probing = false;
  #closed = false;
  #epoch = 0;

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

  lane(subject: string, key: KeyState | null): Lane {
    let lane = this.#lanes.get(subject);
    if (lane === undefined) {
      lane = { subject, queue: [], inFlight: false, key, tail: undefined, refreshing: false };
      this.#lanes.set(subject, lane);
    } else if (key !== null && lane.key === null) lane.key = key;
    return lane;
  }

  /** A sealed batch: to JetStream, or behind the spool while NATS is away. */
  route(batch: OutBatch): void {
    if (this.#mode === "spooling" || this.#mode === "draining") this.#toSpool(batch);
    else {
      batch.lane.queue.push(batch);
      this.#memBatches++;
      this.#ready.add(batch.lane);
      this.#pump();
    }
  }

  /** Stops probing and writes every batch still in memory to the spool (in-flight ones too). */
  close(): void {
    this.#closed = true;
    this.#probe?.cancel();
    for (const lane of this.#lanes.values()) {
      // If an in-flight one did land, the next start's drain finds it in the stream and skips it.
      for (const b of lane.queue) if (b.ticket === null) this.spool.append({ header: b.header, payload: b.payload });
      lane.queue = [];
    }
    this.spool.close();
  }

  #toSpool(batch: OutBatch): void {
    this.spool.append({ header: batch.header, payload: batch.payload });
    this.stats.spooledBatches++;
  }

  // ---- sending ---------------------------------------------------------------------------

  #pump(): void {
    if (this.#mode !== "direct" && this.#mode !== "draining") return;
    for (const lane of this.#ready) {
      if (this.#inFlight >= this.#o.maxInFlight) return;
      this.#ready.delete(lane);
      if (lane.inFlight || lane.refreshing) continue;
      const head = lane.queue[0];
      if (head === undefined) continue;
      if (lane.key !== null) {
        if (lane.tail === undefined) {
          this.#refresh(lane);
          continue;
        }
        if (!this.#trimAgainstTail(lane, head)) {
          this.#ready.add(lane);
          continue;
        }
      }
      this.#send(lane, head);
    }
  }

  #send(lane: Lane, batch: OutBatch): void {
    lane.inFlight = true;
    this.#inFlight++;
    const opts = {
      timeout: this.#o.publishTimeoutMs,
      ...(batch.header.msgId === undefined ? {} : { msgID: batch.header.msgId }),
      ...(lane.tail === undefined ? {} : { expect: { lastSubjectSequence: lane.tail.seq } }),
    };
    this.#js.publish(lane.subject, batch.payload, opts).then(
      (ack) => this.#onAck(lane, batch, ack),
      (err: unknown) => (isTailConflict(err) ? this.#onTailConflict(lane) : this.#onFail(lane, err)),
    );
  }

  #onAck(lane: Lane, batch: OutBatch, ack: PubAck): void {
    this.#inFlight--;
    lane.inFlight = false;
    lane.queue.shift();
    if (batch.ticket !== null) {
      this.spool.ack(batch.ticket);
      this.#loadedFromSpool--;
    } else this.#memBatches--;
    if (ack.duplicate) this.stats.duplicateBatchAcks++;
    // A duplicate ack names the earlier copy's sequence, not necessarily the tail: read it again.
    if (lane.key !== null) {
      lane.tail = ack.duplicate ? undefined : { seq: ack.seq, lastId: batch.header.lastId };
      this.stats.batchesPublished++;
    } else this.stats.dlqPublished++;
    this.#hooks.acked(lane, batch);
    if (lane.queue.length > 0) this.#ready.add(lane);
    if (this.#mode === "failing") {
      if (this.#inFlight === 0) this.#finishFailover();
    } else {
      if (this.#mode === "draining") this.#loadFromSpool();
      this.#pump();
    }
    this.#hooks.changed();
  }

  /** Another publisher wrote the subject since we read its tail: read it again, trim, resend. Not a failure. */
  #onTailConflict(lane: Lane): void {
    this.#inFlight--;
    lane.inFlight = false;
    lane.tail = undefined;
    this.stats.tailConflicts++;
    this.#ready.add(lane);
    if (this.#mode === "failing") {
      if (this.#inFlight === 0) this.#finishFailover();
    } else this.#pump();
  }

  #onFail(lane: Lane, err: unknown): void {
    this.#inFlight--;
    lane.inFlight = false;
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
      for (const b of lane.queue) if (b.ticket === null) this.#toSpool(b);
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
      const lane = key?.lane ?? this.lane(h.subject, null);
      const trades = h.firstId === undefined ? 0 : decodeTradeBatchHeader(next.record.payload).count;
      lane.queue.push({ lane, header: h, payload: next.record.payload, trades, ticket: next.ticket });
      this.#loadedFromSpool++;
      this.#ready.add(lane);
    }
  }

  #refresh(lane: Lane): void {
    lane.refreshing = true;
    const key = lane.key!;
    const epoch = this.#epoch;
    this.#hooks.streamTail(lane.subject, key.source, key.symbol).then(
      (tail) => {
        lane.refreshing = false;
        if (epoch !== this.#epoch) return; // a failover happened meanwhile: the next drain asks again
        lane.tail = tail;
        this.#hooks.tailRead(key, tail);
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
   * or below the tail's last id; false when the whole batch was dropped.
   */
  #trimAgainstTail(lane: Lane, batch: OutBatch): boolean {
    const last = lane.tail?.lastId;
    const h = batch.header;
    if (last === undefined) return true;
    // A mark (no firstId) written after trades up to lastId: if the log has more trades since
    // (another publisher), its watermark is not ours to give: drop it, the next one is fresh.
    if (h.firstId === undefined) return h.lastId === undefined || h.lastId >= last || this.#dropHead(lane, batch);
    if (h.firstId > last) return true;
    const kept = aboveMark(decodeTradeBatch(batch.payload), last);
    this.stats.alreadyInLog += batch.trades - kept.length;
    if (kept.length === 0) return this.#dropHead(lane, batch);
    const first = kept[0]!.tradeId;
    batch.header = { ...h, firstId: first, msgId: batchMsgId(h.source!, h.symbol!, first, h.lastId!) };
    batch.payload = encodeTradeBatch(kept);
    batch.trades = kept.length;
    return true;
  }

  /** The lane's head needs no publish: settled as if acknowledged. Returns false (nothing to send). */
  #dropHead(lane: Lane, batch: OutBatch): false {
    lane.queue.shift();
    if (batch.ticket !== null) {
      this.spool.ack(batch.ticket);
      this.#loadedFromSpool--;
    } else this.#memBatches--;
    this.#hooks.acked(lane, { ...batch, trades: 0 });
    this.#hooks.changed();
    return false;
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
