/**
 * Trade log publisher: de-duplicates by per-(source, symbol) trade-id high-water mark, counts
 * gaps, batches trades per symbol into `md.trades.<partition>.<SYMBOL>` (one publish in flight
 * per subject, many subjects in parallel), sends malformed frames to the DLQ, and falls back to
 * a bounded disk spool while NATS is unreachable. See README.md for the rules.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck } from "@nats-io/jetstream";
import { systemClock, type Clock, type TimerHandle } from "../../runtime/clock.js";
import { partitionOf } from "../../runtime/cluster/partition.js";
import type { Trade } from "../trade.js";
import { batchMsgId, decodeTradeBatch, decodeTradeBatchHeader, encodeTradeBatch } from "./batch-codec.js";
import { aboveMark, admit } from "./dedup.js";
import { PublisherClosed } from "./errors.js";
import { Listeners, consoleLogger, type IngestLogger } from "./log.js";
import { DiskSpool } from "./spool.js";
import type { GapEvent, KeyState, Lane, OutBatch, PublisherMode, PublisherOptions, PublisherStatus } from "./publisher-types.js";

export type { GapEvent, PublisherMode, PublisherOptions, PublisherStatus, SymbolStatus } from "./publisher-types.js";

const encoder = new TextEncoder();
const MAX_DLQ_RAW = 64 * 1024;

export function tradeLogSubject(source: string, symbol: string, partitions: number): string {
  return `md.trades.${partitionOf(`${source}:${symbol}`, partitions)}.${symbol}`;
}

export class TradeLogPublisher {
  readonly tradesStream: string;
  readonly dlqStream: string;
  readonly partitions: number;
  readonly spool: DiskSpool;
  readonly gaps = new Listeners<GapEvent>();
  readonly pressure = new Listeners<boolean>();
  readonly modes = new Listeners<PublisherMode>();
  #o: Required<Omit<PublisherOptions, "clock" | "log" | "tradesStream" | "dlqStream" | "partitions" | "spoolDir" | "spoolMaxBytes" | "spoolSegmentBytes">>;
  #clock: Clock;
  #log: IngestLogger;
  #js: JetStreamClient;
  #jsm: JetStreamManager;
  #keys = new Map<string, Map<string, KeyState>>();
  #lanes = new Map<string, Lane>();
  #ready = new Set<Lane>();
  #dirty = new Set<KeyState>();
  #mode: PublisherMode = "direct";
  #inFlight = 0;
  #memBatches = 0;
  #loadedFromSpool = 0;
  #tick: TimerHandle | null = null;
  #probe: TimerHandle | null = null;
  #probing = false;
  #paused = false;
  #closed = false;
  #idleWaiters: Array<() => void> = [];
  #dlqSeq = 0;
  #epoch = 0;
  #nonce = Math.random().toString(36).slice(2, 10);
  #s = { accepted: 0, published: 0, duplicatesDropped: 0, duplicateBatchAcks: 0, alreadyInLog: 0, gaps: 0, missingTrades: 0, invalid: 0, dlqPublished: 0, batchesPublished: 0, publishFailures: 0, spooledBatches: 0 };
  #lastError: string | null = null;

  private constructor(js: JetStreamClient, jsm: JetStreamManager, options: PublisherOptions) {
    this.#js = js;
    this.#jsm = jsm;
    this.tradesStream = options.tradesStream ?? "TRADES";
    this.dlqStream = options.dlqStream ?? "DLQ";
    this.partitions = options.partitions ?? 32;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) throw new RangeError(`partitions must be an integer >= 1, got ${this.partitions}`);
    this.#o = {
      maxBatchTrades: options.maxBatchTrades ?? 1000,
      lingerMs: options.lingerMs ?? 50,
      maxInFlight: options.maxInFlight ?? 1024,
      publishTimeoutMs: options.publishTimeoutMs ?? 5000,
      maxQueuedBatches: options.maxQueuedBatches ?? 20_000,
      probeIntervalMs: options.probeIntervalMs ?? 500,
    };
    for (const [k, v] of Object.entries(this.#o)) if (!(v > 0)) throw new RangeError(`${k} must be > 0, got ${v}`);
    this.#clock = options.clock ?? systemClock;
    this.#log = options.log ?? consoleLogger;
    this.spool = DiskSpool.open(options.spoolDir ?? "./data/spool", { maxBytes: options.spoolMaxBytes, segmentBytes: options.spoolSegmentBytes });
  }

  /** Opens the spool; if it holds batches from an earlier run, they are published first. */
  static async start(nc: NatsConnection, options: PublisherOptions = {}): Promise<TradeLogPublisher> {
    const p = new TradeLogPublisher(jetstream(nc, { timeout: options.publishTimeoutMs ?? 5000 }), await jetstreamManager(nc, { timeout: 2000, checkAPI: false }), options);
    if (!p.spool.isEmpty) {
      p.#log.info("spool holds batches from an earlier run; publishing them first", { records: p.spool.records });
      p.#setMode("spooling");
      p.#scheduleProbe(0);
    }
    return p;
  }

  get mode(): PublisherMode {
    return this.#mode;
  }
  get paused(): boolean {
    return this.#paused;
  }

  /** Takes one trade. Never blocks; duplicates are dropped here, gaps counted here. */
  accept(trade: Trade): void {
    if (this.#closed) throw new PublisherClosed();
    const ks = this.#key(trade.source, trade.symbol);
    if (ks.phase === "loading") ks.held.push(trade);
    else this.#admit(ks, trade);
  }

  /** Sends a rejected frame to `dlq.<reason>` with the raw text and reason. */
  reject(raw: string, reason: string, message: string, source = "binance"): void {
    if (this.#closed) throw new PublisherClosed();
    this.#s.invalid++;
    const subject = `dlq.${reason.replace(/[^A-Za-z0-9_-]/g, "_") || "unknown"}`;
    const body = { source, reason, message, raw: raw.length > MAX_DLQ_RAW ? raw.slice(0, MAX_DLQ_RAW) : raw, truncated: raw.length > MAX_DLQ_RAW, ingestTime: this.#clock.now() };
    const lane = this.#lane(subject, null);
    this.#route({ lane, header: { subject, msgId: `dlq:${this.#nonce}:${++this.#dlqSeq}` }, payload: encoder.encode(JSON.stringify(body)), trades: 0, ticket: null });
  }

  /** Looks up the high-water marks of these symbols now (otherwise done on their first trade). */
  async prime(source: string, symbols: readonly string[]): Promise<void> {
    await Promise.all(symbols.map((s) => this.#loadMark(this.#key(source, s.toUpperCase()))));
  }

  /** Seals every open batch and resolves once everything accepted so far is in the log. */
  async flush(): Promise<void> {
    this.#sealAll();
    await new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#checkIdle();
    });
  }

  status(): PublisherStatus {
    const symbols = [];
    for (const bySymbol of this.#keys.values()) {
      for (const k of bySymbol.values()) {
        symbols.push({ source: k.source, symbol: k.symbol, lastId: k.hwm ?? null, accepted: k.accepted, published: k.published, duplicates: k.duplicates, gaps: k.gaps, missing: k.missing });
      }
    }
    return {
      mode: this.#mode,
      paused: this.#paused,
      ...this.#s,
      inFlight: this.#inFlight,
      queuedBatches: this.#memBatches,
      spool: { bytes: this.spool.bytes, segments: this.spool.segments, records: this.spool.records, spooledBatches: this.#s.spooledBatches },
      lastError: this.#lastError,
      symbols,
    };
  }

  /**
   * Stops: seals open batches, waits up to `timeoutMs` for the log, then writes whatever is still
   * in memory to the spool so the next start publishes it. Nothing accepted is dropped.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#sealAll();
    let timer: TimerHandle | null = null;
    await Promise.race([this.flush(), new Promise<void>((r) => (timer = this.#clock.setTimeout(r, timeoutMs)))]);
    (timer as TimerHandle | null)?.cancel();
    this.#closed = true;
    this.#tick?.cancel();
    this.#probe?.cancel();
    for (const lane of this.#lanes.values()) {
      // In-flight ones too: if they did land, the next start's drain finds them in the stream and skips them.
      for (const b of lane.queue) if (b.ticket === null) this.spool.append({ header: b.header, payload: b.payload });
      lane.queue = [];
    }
    this.spool.close();
  }

  // ---- accepting -------------------------------------------------------------------------

  #key(source: string, symbol: string): KeyState {
    let bySymbol = this.#keys.get(source);
    if (bySymbol === undefined) this.#keys.set(source, (bySymbol = new Map()));
    let ks = bySymbol.get(symbol);
    if (ks === undefined) {
      const subject = tradeLogSubject(source, symbol, this.partitions);
      ks = { source, symbol, lane: null as unknown as Lane, hwm: undefined, phase: "loading", held: [], open: [], openSince: 0, accepted: 0, published: 0, duplicates: 0, gaps: 0, missing: 0 };
      ks.lane = this.#lane(subject, ks);
      bySymbol.set(symbol, ks);
      void this.#loadMark(ks);
    }
    return ks;
  }

  #lane(subject: string, key: KeyState | null): Lane {
    let lane = this.#lanes.get(subject);
    if (lane === undefined) {
      lane = { subject, queue: [], inFlight: false, key, streamLastId: undefined, refreshed: false, refreshing: false };
      this.#lanes.set(subject, lane);
    } else if (key !== null && lane.key === null) lane.key = key;
    return lane;
  }

  /** High-water mark = max(last id in the stream for this subject, last id left in the spool). */
  async #loadMark(ks: KeyState): Promise<void> {
    if (ks.phase === "ready") return;
    const fromSpool = this.spool.lastIdAtOpen.get(`${ks.source}:${ks.symbol}`);
    let fromStream: number | undefined;
    try {
      fromStream = await this.#streamLastId(ks.lane.subject, ks.source, ks.symbol);
    } catch (err) {
      this.#log.warn("could not read the high-water mark from the stream; de-dup relies on the spool check and Nats-Msg-Id", { symbol: ks.symbol, error: String(err) });
    }
    if ((ks.phase as KeyState["phase"]) === "ready") return; // a concurrent prime() got there first
    const marks = [fromSpool, fromStream].filter((x): x is number => x !== undefined);
    ks.hwm = marks.length > 0 ? Math.max(...marks) : undefined;
    ks.phase = "ready";
    const held = ks.held;
    ks.held = [];
    for (const t of held) this.#admit(ks, t);
  }

  async #streamLastId(subject: string, source: string, symbol: string): Promise<number | undefined> {
    const msg = await this.#jsm.streams.getMessage(this.tradesStream, { last_by_subj: subject });
    if (msg === null) return undefined;
    const h = decodeTradeBatchHeader(msg.data);
    // Another source's symbol can hash to the same subject; its ids say nothing about ours.
    return h.source === source && h.symbol === symbol ? h.lastId : undefined;
  }

  #admit(ks: KeyState, trade: Trade): void {
    const a = admit(ks.hwm, trade.tradeId);
    if (a.kind === "duplicate") {
      ks.duplicates++;
      this.#s.duplicatesDropped++;
      return;
    }
    if (a.missing > 0) {
      ks.gaps++;
      ks.missing += a.missing;
      this.#s.gaps++;
      this.#s.missingTrades += a.missing;
      const ev: GapEvent = { source: ks.source, symbol: ks.symbol, fromId: ks.hwm! + 1, toId: trade.tradeId - 1, missing: a.missing };
      this.#log.warn("trade id gap", { ...ev });
      this.gaps.emit(ev);
    }
    ks.hwm = trade.tradeId;
    ks.accepted++;
    this.#s.accepted++;
    if (ks.open.push(trade) === 1) {
      ks.openSince = this.#clock.now();
      this.#dirty.add(ks);
      if (this.#tick === null) this.#tick = this.#clock.setTimeout(() => this.#onTick(), this.#o.lingerMs);
    }
    if (ks.open.length >= this.#o.maxBatchTrades) this.#seal(ks);
  }

  #onTick(): void {
    this.#tick = null;
    for (const ks of this.#dirty) if (!ks.lane.inFlight && ks.lane.queue.length === 0) this.#seal(ks);
    if (this.#dirty.size > 0 && !this.#closed) this.#tick = this.#clock.setTimeout(() => this.#onTick(), this.#o.lingerMs);
  }

  #sealAll(): void {
    for (const ks of this.#dirty) this.#seal(ks);
  }

  #seal(ks: KeyState): void {
    const trades = ks.open;
    if (trades.length === 0) return;
    ks.open = [];
    this.#dirty.delete(ks);
    const first = trades[0]!.tradeId;
    const last = trades[trades.length - 1]!.tradeId;
    const header = { subject: ks.lane.subject, msgId: batchMsgId(ks.source, ks.symbol, first, last), source: ks.source, symbol: ks.symbol, firstId: first, lastId: last };
    this.#route({ lane: ks.lane, header, payload: encodeTradeBatch(trades), trades: trades.length, ticket: null });
  }

  #route(batch: OutBatch): void {
    if (this.#mode === "spooling" || this.#mode === "draining") {
      this.#toSpool(batch);
    } else {
      batch.lane.queue.push(batch);
      this.#memBatches++;
      this.#ready.add(batch.lane);
      this.#pump();
    }
    this.#updatePressure();
  }

  #toSpool(batch: OutBatch): void {
    this.spool.append({ header: batch.header, payload: batch.payload });
    this.#s.spooledBatches++;
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
      if (head.ticket !== null && lane.key !== null) {
        if (!lane.refreshed) {
          this.#refresh(lane);
          continue;
        }
        if (!this.#trimAgainstStream(lane, head)) {
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
    const opts = batch.header.msgId === undefined ? { timeout: this.#o.publishTimeoutMs } : { msgID: batch.header.msgId, timeout: this.#o.publishTimeoutMs };
    this.#js.publish(lane.subject, batch.payload, opts).then(
      (ack) => this.#onAck(lane, batch, ack),
      (err: unknown) => this.#onFail(lane, err),
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
    if (ack.duplicate) this.#s.duplicateBatchAcks++;
    if (lane.key !== null) {
      this.#s.published += batch.trades;
      lane.key.published += batch.trades;
      this.#s.batchesPublished++;
      if (lane.queue.length === 0 && lane.key.open.length > 0 && this.#clock.now() - lane.key.openSince >= this.#o.lingerMs) this.#seal(lane.key);
    } else this.#s.dlqPublished++;
    if (lane.queue.length > 0) this.#ready.add(lane);
    if (this.#mode === "failing") {
      if (this.#inFlight === 0) this.#finishFailover();
    } else {
      if (this.#mode === "draining") this.#loadFromSpool();
      this.#pump();
    }
    this.#updatePressure();
    this.#checkIdle();
  }

  #onFail(lane: Lane, err: unknown): void {
    this.#inFlight--;
    lane.inFlight = false;
    this.#s.publishFailures++;
    this.#failed(lane.subject, err);
  }

  #failed(subject: string, err: unknown): void {
    this.#lastError = String(err);
    if (this.#mode === "direct" || this.#mode === "draining") {
      this.#log.warn("publish failed; spooling to disk until NATS is back", { subject, error: this.#lastError });
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
      lane.refreshed = false;
    }
    this.#memBatches = 0;
    this.#ready.clear();
    this.#setMode("spooling");
    this.#scheduleProbe(this.#o.probeIntervalMs);
    this.#updatePressure();
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
      await this.#jsm.streams.info(this.tradesStream);
      this.#log.info("NATS is back; publishing the spool", { records: this.spool.records, bytes: this.spool.bytes });
      this.#setMode("draining");
      this.#loadFromSpool();
      this.#pump();
      this.#checkIdle();
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
      const key = h.source !== undefined && h.symbol !== undefined ? this.#readyKey(h.source, h.symbol) : null;
      const lane = key?.lane ?? this.#lane(h.subject, null);
      if (key === null) lane.refreshed = true;
      lane.queue.push({ lane, header: h, payload: next.record.payload, trades: h.firstId === undefined ? 0 : decodeTradeBatchHeader(next.record.payload).count, ticket: next.ticket });
      this.#loadedFromSpool++;
      this.#ready.add(lane);
    }
  }

  /** A key seen only in the spool (restart): its mark comes from the spool scan. */
  #readyKey(source: string, symbol: string): KeyState {
    return this.#key(source, symbol);
  }

  #refresh(lane: Lane): void {
    lane.refreshing = true;
    const key = lane.key!;
    const epoch = this.#epoch;
    this.#streamLastId(lane.subject, key.source, key.symbol).then(
      (last) => {
        lane.refreshing = false;
        if (epoch !== this.#epoch) return; // a failover happened meanwhile: the next drain asks again
        lane.refreshed = true;
        lane.streamLastId = last;
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
   * A spooled batch may already be in the stream (its ack was lost in the outage). Drops the
   * trades at or below the stream's last id; false when the whole batch was dropped.
   */
  #trimAgainstStream(lane: Lane, batch: OutBatch): boolean {
    const last = lane.streamLastId;
    const h = batch.header;
    if (last === undefined || h.firstId === undefined || h.firstId > last) return true;
    const kept = aboveMark(decodeTradeBatch(batch.payload), last);
    this.#s.alreadyInLog += batch.trades - kept.length;
    if (kept.length === 0) {
      lane.queue.shift();
      this.spool.ack(batch.ticket!);
      this.#loadedFromSpool--;
      this.#checkIdle();
      return false;
    }
    const first = kept[0]!.tradeId;
    batch.header = { ...h, firstId: first, msgId: batchMsgId(h.source!, h.symbol!, first, h.lastId!) };
    batch.payload = encodeTradeBatch(kept);
    batch.trades = kept.length;
    return true;
  }

  // ---- state -----------------------------------------------------------------------------

  #setMode(mode: PublisherMode): void {
    if (this.#mode === mode) return;
    this.#mode = mode;
    this.modes.emit(mode);
  }

  #updatePressure(): void {
    const p = this.spool.isFull || this.#memBatches > this.#o.maxQueuedBatches;
    if (p === this.#paused) return;
    this.#paused = p;
    this.#log.warn(p ? "backpressure on: pausing the sources" : "backpressure off", { spoolBytes: this.spool.bytes, queuedBatches: this.#memBatches });
    this.pressure.emit(p);
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0) return;
    const idle = this.#mode === "direct" && this.#inFlight === 0 && this.#memBatches === 0 && this.#loadedFromSpool === 0 && this.#dirty.size === 0 && this.spool.isEmpty && [...this.#keys.values()].every((m) => [...m.values()].every((k) => k.held.length === 0));
    if (!idle) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
