/**
 * Trade log publisher: de-duplicates by per-(source, symbol) trade-id high-water mark, counts
 * gaps, batches trades per symbol and logs a partition's batches together on `md.trades.<p>.all`
 * (partition-log.ts), sends malformed frames to the DLQ, and reports backpressure. Sending,
 * ordering, idempotency and the disk spool are in sender.ts.
 * See README.md for the rules.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { systemClock, type Clock, type TimerHandle } from "../runtime/clock.js";
import { eventLoopLoad } from "../runtime/loop-load.js";
import { lingerFor } from "./linger.js";
import { partitionOf } from "../runtime/cluster/partition.js";
import { dlqSubject, tradeSubject } from "../runtime/nats/spec.js";
import { hasConsecutiveIds, type Trade } from "../market/trade.js";
import { decodeTradeBatchHeader, encodeLogMark, encodeTradeBatch, type LogMark } from "./batch-codec.js";
import { partitionLogSubject } from "./partition-log.js";
import { idleWatermark, type IdleMarkOptions } from "./idle-marks.js";
import { admit } from "./dedup.js";
import { PublisherClosed } from "./errors.js";
import { Listeners, consoleLogger, type IngestLogger } from "./log.js";
import { LogSender } from "./sender.js";
import { DiskSpool } from "./spool.js";
import type { GapEvent, KeyState, Lane, OutBatch, PublisherMode, PublisherOptions, PublisherStatus } from "./publisher-types.js";

export type { BackfillFn, GapEvent, PublisherMode, PublisherOptions, PublisherStatus, SymbolStatus } from "./publisher-types.js";

const encoder = new TextEncoder();
const MAX_DLQ_RAW = 64 * 1024;
/** The abort reason of a catch-up a live trade made moot. */
const CATCH_UP_MOOT = new Error("a live trade came: any hole before it is filled by the gap path");

/**
 * The subject of a symbol's per-symbol messages, the layout before per-partition messages (the
 * publisher reads its last id there; nothing writes it any more). The partition, here and in the
 * partition subject, must be the one its SymbolActor lives in, and
 * the region places entities by their key, the symbol; a custom source's instruments get their
 * own symbol names (`<SOURCE>_<SYMBOL>`), so the source is not part of the key.
 */
export function tradeLogSubject(_source: string, symbol: string, partitions: number): string {
  return tradeSubject(partitionOf(symbol, partitions), symbol);
}

export class TradeLogPublisher {
  readonly tradesStream: string;
  readonly dlqStream: string;
  readonly partitions: number;
  readonly gaps = new Listeners<GapEvent>();
  readonly pressure = new Listeners<boolean>();
  #o: { maxBatchTrades: number; lingerMs: number; maxPublishesPerSecond: number; idlePublishesPerSecond: number; maxQueuedBatches: number };
  readonly #load: () => number;
  /** Partition lanes with open trades at the last tick: many stretch the linger (see #linger). */
  #activeLanes = 0;
  #clock: Clock;
  #log: IngestLogger;
  #jsm: JetStreamManager;
  #sender: LogSender;
  #keys = new Map<string, Map<string, KeyState>>();
  /** The keys of each partition lane, for the marks its tail reads raise. */
  #laneKeys = new Map<Lane, KeyState[]>();
  #legacyReads = new Map<KeyState, Promise<void>>();
  #dirty = new Set<KeyState>();
  #held = 0;
  /** Catch-ups waiting for their answer (they hold no trade, but flush waits for them). */
  #catchingUp = 0;
  #tick: TimerHandle | null = null;
  #paused = false;
  #closed = false;
  #idleWaiters: Array<{ done: () => boolean; resolve: () => void }> = [];
  #dlqSeq = 0;
  #nonce = Math.random().toString(36).slice(2, 10);
  #s = { accepted: 0, published: 0, duplicatesDropped: 0, gaps: 0, missingTrades: 0, backfilled: 0, catchUps: 0, catchUpsMoot: 0, invalid: 0 };
  #backfill: PublisherOptions["backfill"];
  #catchUpAfterMs: number;
  #idleMarks: PublisherOptions["idleMarks"];
  #idleTimer: TimerHandle | null = null;
  #marks = { idle: 0, end: 0 };

  private constructor(nc: NatsConnection, jsm: JetStreamManager, options: PublisherOptions) {
    this.#jsm = jsm;
    this.tradesStream = options.tradesStream ?? "TRADES";
    this.dlqStream = options.dlqStream ?? "DLQ";
    this.partitions = options.partitions ?? 32;
    if (!Number.isInteger(this.partitions) || this.partitions < 1) throw new RangeError(`partitions must be an integer >= 1, got ${this.partitions}`);
    this.#o = { maxBatchTrades: options.maxBatchTrades ?? 1000, lingerMs: options.lingerMs ?? 5, maxPublishesPerSecond: options.maxPublishesPerSecond ?? 5000, idlePublishesPerSecond: options.idlePublishesPerSecond ?? 50_000, maxQueuedBatches: options.maxQueuedBatches ?? 20_000 };
    this.#load = options.load ?? eventLoopLoad();
    const senderOptions = {
      maxInFlight: options.maxInFlight ?? 1024,
      publishTimeoutMs: options.publishTimeoutMs ?? 5000,
      probeIntervalMs: options.probeIntervalMs ?? 500,
      tradesStream: this.tradesStream,
      dlqStream: this.dlqStream,
      maxMessageBytes: nc.info?.max_payload ?? 1024 * 1024,
      checkpointMs: options.checkpointMs ?? 1000,
    };
    for (const [k, v] of Object.entries({ ...this.#o, ...senderOptions })) if (typeof v === "number" && !(v > 0)) throw new RangeError(`${k} must be > 0, got ${v}`);
    this.#clock = options.clock ?? systemClock;
    this.#backfill = options.backfill;
    this.#catchUpAfterMs = options.catchUpAfterMs ?? 3000;
    this.#log = options.log ?? consoleLogger;
    this.#idleMarks = options.idleMarks;
    if (this.#idleMarks !== undefined && !(this.#idleMarks.afterMs >= 0 && this.#idleMarks.horizonMs >= 0)) throw new RangeError("idleMarks.afterMs and horizonMs must be >= 0");
    const spool = DiskSpool.open(options.spoolDir ?? "./data/spool", { maxBytes: options.spoolMaxBytes, segmentBytes: options.spoolSegmentBytes });
    this.#sender = new LogSender(jetstream(nc, { timeout: senderOptions.publishTimeoutMs }), jsm, spool, senderOptions, this.#clock, this.#log, {
      acked: (batch) => this.#onAcked(batch),
      keyFor: (source, symbol) => this.#key(source, symbol),
      readLegacy: (key) => this.#readLegacy(key),
      tailRead: (lane, tail) => {
        for (const ks of this.#laneKeys.get(lane) ?? []) this.#raiseMark(ks, tail.lastIds.get(ks.source, ks.symbol));
      },
      changed: () => {
        this.#updatePressure();
        this.#checkIdle();
      },
    });
    this.#armIdleMarks();
  }

  /** Opens the spool; if it holds batches from an earlier run, they are published first. */
  static async start(nc: NatsConnection, options: PublisherOptions = {}): Promise<TradeLogPublisher> {
    // checkAPI off: starting while NATS is down is allowed (trades go to the spool).
    return new TradeLogPublisher(nc, await jetstreamManager(nc, { timeout: 2000, checkAPI: false }), options);
  }

  get mode(): PublisherMode {
    return this.#sender.mode;
  }
  get modes(): Listeners<PublisherMode> {
    return this.#sender.modes;
  }
  get spool(): DiskSpool {
    return this.#sender.spool;
  }
  get paused(): boolean {
    return this.#paused;
  }

  /** Takes one trade. Never blocks; duplicates are dropped here, gaps counted here. */
  accept(trade: Trade): void {
    if (this.#closed) throw new PublisherClosed();
    const ks = this.#key(trade.source, trade.symbol);
    ks.received++;
    // A live trade shows any hole before it (the gap path fills it): a catch-up is moot.
    ks.catchUp?.abort(CATCH_UP_MOOT);
    if (ks.phase !== "ready") {
      ks.held.push(trade);
      this.#held++;
    } else this.#admit(ks, trade);
  }

  /** Sends a rejected frame to `dlq.<reason>` with the raw text and reason. */
  reject(raw: string, reason: string, message: string, source = "binance"): void {
    if (this.#closed) throw new PublisherClosed();
    this.#s.invalid++;
    const subject = dlqSubject(reason.replace(/[^A-Za-z0-9_-]/g, "_") || "unknown");
    const body = { source, reason, message, raw: raw.length > MAX_DLQ_RAW ? raw.slice(0, MAX_DLQ_RAW) : raw, truncated: raw.length > MAX_DLQ_RAW, ingestTime: this.#clock.now() };
    const lane = this.#sender.lane(subject, false);
    this.#route({ lane, key: null, header: { subject, msgId: `dlq:${this.#nonce}:${++this.#dlqSeq}` }, payload: encoder.encode(JSON.stringify(body)), trades: 0, ticket: null });
  }

  /** Looks up the high-water marks of these symbols now (otherwise done on their first trade). */
  async prime(source: string, symbols: readonly string[]): Promise<void> {
    await Promise.all(symbols.map((s) => this.#loadMark(this.#key(source, s.toUpperCase()))));
  }

  /**
   * Holds these symbols' trades (a takeover is under way: the previous reader may still be logging
   * them) until `adopt` lets them in.
   */
  hold(source: string, symbols: readonly string[]): void {
    for (const s of symbols) {
      const ks = this.#key(source, s.toUpperCase());
      if (!ks.holding) ks.receivedAtTakeover = ks.received;
      ks.holding = true;
      if (ks.phase === "ready") ks.phase = "loading";
    }
  }

  /**
   * Takes these symbols (back) from another publisher, e.g. after an ingest handover: their marks
   * and subject tails are read from the stream again, since what we knew may be stale. Trades
   * arriving meanwhile (or held since `hold`) are held, not lost, then go in after the marks.
   * `catchUp` (default true): the previous reader may have died after a symbol's last trade, which
   * no later trade would reveal, so a symbol that has had no trade from our stream since the
   * takeover began (`hold`), and still none a moment later, asks the exchange's history. A symbol
   * that had one needs nothing: that trade's id showed any hole before it, which the gap path fills.
   * Off when the previous reader handed over and logged everything it read.
   */
  async adopt(source: string, symbols: readonly string[], options: { catchUp?: boolean } = {}): Promise<void> {
    const keys = symbols.map((s) => this.#key(source, s.toUpperCase()));
    await Promise.all(
      keys.map((ks) => {
        if (!ks.holding) ks.receivedAtTakeover = ks.received;
        ks.holding = false;
        if (ks.phase === "ready") ks.phase = "loading";
        return this.#loadMark(ks, true);
      }),
    );
    if (options.catchUp === false || this.#backfill === undefined || !hasConsecutiveIds(source)) return;
    for (const ks of keys) {
      const since = ks.receivedAtTakeover;
      this.#clock.setTimeout(() => {
        if (!this.#closed && ks.phase === "ready" && ks.catchUp === null && ks.received === since && ks.hwm !== undefined) void this.#catchUp(ks);
      }, this.#catchUpAfterMs);
    }
  }

  /** Resolves once every trade of these symbols taken so far is in the log (none held, open or unacknowledged). */
  async flushSymbols(source: string, symbols: readonly string[]): Promise<void> {
    const keys = symbols.flatMap((s) => this.#keys.get(source)?.get(s.toUpperCase()) ?? []);
    for (const ks of keys) this.#seal(ks);
    const logged = () => this.#sender.mode === "direct" && keys.every((ks) => ks.phase === "ready" && ks.catchUp === null && ks.held.length === 0 && ks.open.length === 0 && ks.pending === 0);
    await new Promise<void>((resolve) => {
      this.#idleWaiters.push({ done: logged, resolve });
      this.#checkIdle();
    });
  }

  /**
   * The end of these symbols' stream (a replay or an import finished): logs an end mark after
   * their trades, so their SymbolActors close every window still open, and resolves once it is
   * in the log. Only symbols that logged a trade through this publisher get one: a symbol whose
   * trades were all duplicates may be live elsewhere, and an end would cut its open windows.
   */
  async endOfStream(source: string, symbols: readonly string[]): Promise<void> {
    const at = this.#clock.now();
    const ended: string[] = [];
    for (const s of symbols) {
      const ks = this.#keys.get(source)?.get(s.toUpperCase());
      if (ks === undefined || ks.accepted === 0 || ks.hwm === undefined) continue;
      this.#seal(ks);
      this.#routeMark(ks, { source, symbol: ks.symbol, lastId: ks.hwm, at, end: true });
      this.#marks.end++;
      ended.push(ks.symbol);
    }
    await this.flushSymbols(source, ended);
  }

  /** Seals every open batch and resolves once everything accepted so far is in the log. */
  async flush(): Promise<void> {
    this.#sealAll();
    await new Promise<void>((resolve) => {
      this.#idleWaiters.push({ done: () => this.#sender.idle && this.#dirty.size === 0 && this.#held === 0 && this.#catchingUp === 0, resolve });
      this.#checkIdle();
    });
  }

  /**
   * The publisher's figures, with one entry in `symbols` per symbol named in `options.symbols`
   * (upper case), or per symbol taken when it is not given. A node asks for named symbols only: at
   * 10,000 symbols the full list is 1.35 MB, more than one NATS message may carry.
   */
  status(options: { symbols?: readonly string[] } = {}): PublisherStatus {
    const symbols = [];
    const wanted = options.symbols === undefined ? undefined : new Set(options.symbols);
    let backfilling = 0;
    for (const bySymbol of this.#keys.values()) {
      for (const k of bySymbol.values()) {
        if (k.phase === "backfilling" || k.catchUp !== null) backfilling++;
        if (wanted === undefined || wanted.has(k.symbol)) symbols.push({ source: k.source, symbol: k.symbol, lastId: k.hwm ?? null, accepted: k.accepted, published: k.published, duplicates: k.duplicates, gaps: k.gaps, missing: k.missing, backfilled: k.backfilled });
      }
    }
    const { spooledBatches, ...sent } = this.#sender.stats;
    const spool = this.#sender.spool;
    return {
      mode: this.#sender.mode,
      paused: this.#paused,
      ...this.#s,
      ...sent,
      held: this.#held,
      backfilling,
      idleMarks: this.#marks.idle,
      endMarks: this.#marks.end,
      inFlight: this.#sender.inFlight,
      queuedBatches: this.#sender.queuedBatches,
      spool: { bytes: spool.bytes, segments: spool.segments, records: spool.records, spooledBatches },
      lastError: this.#sender.lastError,
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
    this.#idleTimer?.cancel();
    this.#sender.close();
  }

  // ---- accepting -------------------------------------------------------------------------

  #key(source: string, symbol: string): KeyState {
    let bySymbol = this.#keys.get(source);
    if (bySymbol === undefined) this.#keys.set(source, (bySymbol = new Map()));
    let ks = bySymbol.get(symbol);
    if (ks === undefined) {
      const lane = this.#sender.lane(partitionLogSubject(partitionOf(symbol, this.partitions)), true);
      ks = { source, symbol, lane, legacyLastId: undefined, legacyRead: false, pending: 0, hwm: undefined, phase: "loading", holding: false, catchUp: null, held: [], open: [], openSince: 0, idle: null, received: 0, receivedAtTakeover: 0, accepted: 0, published: 0, duplicates: 0, gaps: 0, missing: 0, backfilled: 0 };
      bySymbol.set(symbol, ks);
      const laneKeys = this.#laneKeys.get(lane);
      if (laneKeys === undefined) this.#laneKeys.set(lane, [ks]);
      else laneKeys.push(ks);
      void this.#loadMark(ks);
    }
    return ks;
  }

  /** High-water mark = max(last id in the stream for this subject, last id left in the spool). */
  async #loadMark(ks: KeyState, again = false): Promise<void> {
    if (ks.phase === "ready") return;
    const fromSpool = this.#sender.spool.lastIdAtOpen.get(`${ks.source}:${ks.symbol}`);
    let fromStream: number | undefined;
    try {
      fromStream = await this.#logLastId(ks);
    } catch (err) {
      this.#log.warn("could not read the high-water mark from the stream; de-dup relies on the spool check and the partition tail checked before every publish", { symbol: ks.symbol, error: String(err) });
    }
    // Only a loading key becomes ready here. A concurrent load (prime(), or the key's first load
    // racing adopt's) may have got there first and even started filling a gap: that fill re-reads
    // the tail itself and lets the held trades in when it ends; making the key ready now would
    // let them in past the hole (a second fill of the same hole, and a held count below zero).
    if ((ks.phase as KeyState["phase"]) !== "loading") return;
    const marks = [fromSpool, fromStream, again ? ks.hwm : undefined].filter((x): x is number => x !== undefined);
    ks.hwm = marks.length > 0 ? Math.max(...marks) : undefined;
    if (ks.holding) return; // a takeover: `adopt` reads the marks again and lets the trades in
    ks.phase = "ready";
    this.#release(ks);
  }

  /** The trades held while the key was loading or backfilling go in, in order (a new gap holds the rest again). */
  #release(ks: KeyState): void {
    const held = ks.held;
    ks.held = [];
    this.#held -= held.length;
    for (const t of held) {
      if (ks.phase === "ready") this.#admit(ks, t);
      else {
        ks.held.push(t);
        this.#held++;
      }
    }
    this.#checkIdle();
  }

  /**
   * A gap before `trade`: the log may hold it already (another node's publisher, during a
   * handover), else the exchange's REST history is asked for it. Trades wait meanwhile; what
   * neither has is counted as a gap when the held trades go in.
   */
  async #fillGap(ks: KeyState, trade: Trade): Promise<void> {
    ks.phase = "backfilling";
    this.#held++; // the trade after the gap
    ks.held.push(trade);
    try {
      this.#raiseMark(ks, await this.#logLastId(ks));
      const fromId = ks.hwm! + 1;
      const toId = trade.tradeId - 1;
      if (fromId <= toId) {
        const got = await this.#backfill!(ks.source, ks.symbol, fromId, toId, { priority: "fill" });
        this.#s.backfilled += got.trades.length;
        ks.backfilled += got.trades.length;
        if (got.trades.length > 0) this.#log.info("trade id gap filled from the exchange's history", { symbol: ks.symbol, fromId, toId, backfilled: got.trades.length, unavailable: toId - fromId + 1 - got.trades.length });
        for (const t of got.trades) this.#admit(ks, t, false);
      }
    } catch (err) {
      this.#log.warn("could not fill a trade id gap; counting it", { symbol: ks.symbol, error: String(err) });
    }
    ks.phase = ks.holding ? "loading" : "ready";
    this.#held--;
    // The first held trade is the one after the gap: a hole left is counted, not filled again.
    ks.held.shift();
    this.#admit(ks, trade, false);
    this.#release(ks);
  }

  /**
   * A catch-up after a takeover: the previous reader may have died after the symbol's last trade,
   * which no later trade would reveal, so the exchange's history after the mark is asked. Unlike a
   * gap fill it holds no live trade: under load the request can wait minutes behind the REST limit
   * (2,004 catch-ups queued behind 240 requests/min were seen at 5,000 symbols; each used to hold
   * its symbol's live trades until its turn), and a live trade meanwhile either continues the mark
   * (no hole) or fills the hole before it itself. The answer goes in only if the key is still
   * ready (else a gap fill or a takeover under way finds any hole itself), and only above the mark
   * by then (what the live trades covered is skipped, not counted as duplicates). Meanwhile no
   * idle mark is logged (the answer may hold older trades), and flush waits for it.
   */
  async #catchUp(ks: KeyState): Promise<void> {
    const catchUp = (ks.catchUp = new AbortController());
    const { signal } = catchUp;
    this.#s.catchUps++;
    this.#catchingUp++;
    try {
      this.#raiseMark(ks, await this.#logLastId(ks));
      signal.throwIfAborted();
      const fromId = ks.hwm! + 1;
      const got = await this.#backfill!(ks.source, ks.symbol, fromId, Number.MAX_SAFE_INTEGER, { priority: "catch-up", signal });
      signal.throwIfAborted();
      if (ks.phase === "ready") {
        const before = ks.accepted;
        // Live trades may have gone in meanwhile: what they cover is not a duplicate to count.
        for (const t of got.trades) if (t.tradeId > ks.hwm!) this.#admit(ks, t, false);
        const added = ks.accepted - before;
        this.#s.backfilled += added;
        ks.backfilled += added;
        if (added > 0) this.#log.info("trade id gap filled from the exchange's history", { symbol: ks.symbol, fromId, backfilled: added, catchUp: true });
      }
    } catch (err) {
      if (signal.aborted && signal.reason === CATCH_UP_MOOT) this.#s.catchUpsMoot++;
      else this.#log.warn("could not catch up from the exchange's history; a later trade shows any hole", { symbol: ks.symbol, error: String(err) });
    }
    ks.catchUp = null;
    this.#catchingUp--;
    this.#checkIdle();
  }

  /** The key's last id in the log: in its partition's messages, or in its per-symbol ones (an older log). */
  async #logLastId(ks: KeyState): Promise<number | undefined> {
    const [tail] = await Promise.all([this.#sender.readTail(ks.lane), ks.legacyRead ? undefined : this.#readLegacy(ks)]);
    const inTail = tail.lastIds.get(ks.source, ks.symbol);
    if (inTail === undefined || ks.legacyLastId === undefined) return inTail ?? ks.legacyLastId;
    return Math.max(inTail, ks.legacyLastId);
  }

  /** Reads the key's last id on its per-symbol subject, once (one read at a time; a failed one is tried again next time). */
  #readLegacy(ks: KeyState): Promise<void> {
    let read = this.#legacyReads.get(ks);
    if (read === undefined) {
      read = (async () => {
        try {
          const msg = await this.#jsm.streams.getMessage(this.tradesStream, { last_by_subj: tradeLogSubject(ks.source, ks.symbol, this.partitions) });
          // Another source's trades of the same symbol shared the subject; their ids say nothing about ours.
          const h = msg === null ? null : decodeTradeBatchHeader(msg.data);
          ks.legacyLastId = h !== null && h.source === ks.source && h.symbol === ks.symbol ? h.lastId : undefined;
          ks.legacyRead = true;
          this.#sender.wake(ks.lane);
        } finally {
          this.#legacyReads.delete(ks);
        }
      })();
      this.#legacyReads.set(ks, read);
    }
    return read;
  }

  /** Another publisher logged this key up to `lastId`: trades up to there are duplicates from now on. */
  #raiseMark(ks: KeyState, lastId: number | undefined): void {
    if (lastId !== undefined && (ks.hwm === undefined || lastId > ks.hwm)) ks.hwm = lastId;
  }

  #admit(ks: KeyState, trade: Trade, mayFill = true): void {
    const a = admit(ks.hwm, trade.tradeId);
    if (a.kind === "duplicate") {
      ks.duplicates++;
      this.#s.duplicatesDropped++;
      return;
    }
    if (a.missing > 0 && hasConsecutiveIds(ks.source)) {
      if (mayFill && this.#backfill) {
        void this.#fillGap(ks, trade);
        return;
      }
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
      if (this.#tick === null) this.#tick = this.#clock.setTimeout(() => this.#onTick(), this.#linger());
    }
    if (ks.open.length >= this.#o.maxBatchTrades) this.#seal(ks);
  }

  /** How long an open batch may wait (`lingerFor`: shorter while the event loop has room). */
  #linger(): number {
    return lingerFor(this.#activeLanes, this.#load(), this.#o);
  }

  #onTick(): void {
    this.#tick = null;
    const lanes = new Set<Lane>();
    for (const ks of this.#dirty) {
      lanes.add(ks.lane);
      // A symbol with a batch in flight or queued keeps gathering: its trades go in one batch after it.
      if (ks.pending === 0) this.#seal(ks);
    }
    this.#activeLanes = lanes.size;
    if (this.#dirty.size > 0 && !this.#closed) this.#tick = this.#clock.setTimeout(() => this.#onTick(), this.#linger());
  }

  #sealAll(): void {
    for (const ks of this.#dirty) this.#seal(ks);
  }

  #seal(ks: KeyState): void {
    const trades = ks.open;
    if (trades.length === 0) return;
    ks.open = [];
    this.#dirty.delete(ks);
    this.#arrived(ks, trades[trades.length - 1]!.tradeTime);
    const first = trades[0]!.tradeId;
    const last = trades[trades.length - 1]!.tradeId;
    const header = { subject: ks.lane.subject, source: ks.source, symbol: ks.symbol, firstId: first, lastId: last };
    this.#route({ lane: ks.lane, key: ks, header, payload: encodeTradeBatch(trades), trades: trades.length, ticket: null });
  }

  /**
   * For idle marks, once per sealed batch (no per-trade work): when the key's trades last arrived
   * (a few ms to the linger after they did) and the newest trade time, read from the batch's last
   * trade. Trade times grow with ids for Binance; where they do not, this can only understate the
   * newest time, which makes the next mark later, never early.
   */
  #arrived(ks: KeyState, lastTradeTime: number): void {
    const now = this.#clock.now();
    if (ks.idle === null) ks.idle = { lastTradeTime, lastArrival: now, markedUpTo: null };
    else {
      ks.idle.lastArrival = now;
      if (lastTradeTime > ks.idle.lastTradeTime) ks.idle.lastTradeTime = lastTradeTime;
    }
  }

  #routeMark(ks: KeyState, mark: LogMark): void {
    const header = { subject: ks.lane.subject, source: ks.source, symbol: ks.symbol, lastId: mark.lastId };
    this.#route({ lane: ks.lane, key: ks, header, payload: encodeLogMark(mark), trades: 0, ticket: null });
  }

  /** Checks for idle symbols a few times per `afterMs`. */
  #armIdleMarks(): void {
    const o = this.#idleMarks;
    if (o === undefined || !(o.afterMs > 0) || this.#closed) return;
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = null;
      this.#markIdle(o);
      this.#armIdleMarks();
    }, Math.max(100, Math.floor(o.afterMs / 4)));
  }

  #markIdle(o: IdleMarkOptions & { live?: (source: string, symbol: string) => boolean }): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    for (const bySymbol of this.#keys.values()) {
      for (const ks of bySymbol.values()) {
        if (ks.idle === null || ks.hwm === undefined || ks.phase !== "ready" || ks.holding || ks.catchUp !== null || ks.open.length > 0 || ks.held.length > 0) continue;
        const wm = idleWatermark(ks.idle, now, o);
        if (wm === null || (o.live !== undefined && !o.live(ks.source, ks.symbol))) continue;
        ks.idle.markedUpTo = wm;
        this.#routeMark(ks, { source: ks.source, symbol: ks.symbol, lastId: ks.hwm, at: now, watermark: wm });
        this.#marks.idle++;
      }
    }
  }

  #route(batch: OutBatch): void {
    this.#sender.route(batch);
    this.#updatePressure();
  }

  #onAcked(batch: OutBatch): void {
    const key = batch.key;
    if (key === null) return;
    this.#s.published += batch.trades;
    key.published += batch.trades;
    // Nagle-like: what piled up while this batch was in flight goes out now if it waited long enough.
    if (key.pending === 0 && key.open.length > 0 && this.#clock.now() - key.openSince >= this.#linger()) this.#seal(key);
  }

  #updatePressure(): void {
    const p = this.#sender.spool.isFull || this.#sender.queuedBatches > this.#o.maxQueuedBatches;
    if (p === this.#paused) return;
    this.#paused = p;
    this.#log.warn(p ? "backpressure on: pausing the sources" : "backpressure off", { spoolBytes: this.#sender.spool.bytes, queuedBatches: this.#sender.queuedBatches });
    this.pressure.emit(p);
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0) return;
    const waiting = this.#idleWaiters;
    this.#idleWaiters = waiting.filter((w) => !w.done());
    for (const w of waiting) if (!this.#idleWaiters.includes(w)) w.resolve();
  }
}
