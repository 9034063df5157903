/**
 * CustomRouter: the durable pull consumer on CUSTOM (`ingest.>`) that routes every record —
 * market data to TRADES through a TradeLogPublisher (so it joins the market pipeline), other
 * types to `custom.<source>.<type>` lake tables, the rest to `dlq.<reason>`. It acknowledges
 * (ack-all) only once everything it routed up to that message is durable: trades acked by
 * JetStream, table rows committed, dead letters stored. Restart = resume after the ack floor;
 * tables skip what their txn holds, the publisher drops trade ids at or below its high-water mark.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager, type Consumer, type JetStreamClient, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import { resumeLakeConsumer, type Lake } from "../lake/index.js";
import type { TradeLogPublisher } from "../ingest/index.js";
import { backoffDelay, type BackoffPolicy } from "../runtime/backoff.js";
import { sleep, systemClock, type Clock } from "../runtime/clock.js";
import { onAbort } from "../runtime/abort.js";
import { STREAMS } from "../runtime/nats/index.js";
import { MAX_RECORDS_PER_MESSAGE, routeMessage, type LogMessage, type RouteDecision } from "./route.js";
import { CustomTableWriter, type TableFlush } from "./table-writer.js";
import { DeadLetterQueue, rawRecord } from "./dead-letters.js";
import { DEFAULT_TIME_BOUNDS, type TimeBounds } from "../config/time-bounds.js";
import { receiveTime } from "./time-bounds.js";
import { burstFor, SourceQuotas, type QuotaOptions } from "./quotas.js";
import { MARKET_TYPE, parseCustomTableName } from "./names.js";
import { migrateLegacyCustomTables, type TableMigration } from "./migrate-names.js";
import { assertNever } from "../runtime/assert-never.js";

/** A failed fetch or commit is retried after 100..200 ms doubling to 5..10 s, as the lake consumers do. */
const RETRY_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.5 };

export interface CustomRouterOptions {
  lake: Lake;
  /** Market records go through it into TRADES (the router does not close it). */
  publisher: TradeLogPublisher;
  stream?: string;
  durable?: string;
  /** Commit at least this often while data flows (ms). Default 1000. */
  maxAgeMs?: number;
  /** Commit once this many messages wait for their ack. Default 10,000. */
  maxPendingMessages?: number;
  /** Messages per fetch. Default 500. */
  batchSize?: number;
  /** Table writers kept open between commits; past this the least recently used idle ones are closed (reopened on demand). Default 256. */
  maxOpenTables?: number;
  clock?: Clock;
  /** Event times outside these bounds are dead-lettered (`dlq.timestamp_out_of_range`). Default DEFAULT_TIME_BOUNDS. */
  timeBounds?: TimeBounds;
  /**
   * Per source: data types and instruments (past them: `dlq.quota_exceeded`) and
   * `recordsPerSecond` (CUSTOM_NATS_RATE_LIMIT; 0, the default: none) with `burst` (default 5 s
   * of records, at least one full message) — past it: `dlq.rate_limited`. The rate counts every
   * record in the log, the gateway's too, timed by the stream's own timestamps. Default DEFAULT_QUOTAS.
   */
  quotas?: Partial<QuotaOptions>;
  onCommit?(flushes: TableFlush[], ackedSeq: number): void;
  onError?(err: unknown): void;
  /** A legacy `custom_<source>_<type>` table moved to `custom.<source>.<type>` tables (before anything is routed). */
  onMigrate?(m: TableMigration): void;
}

export interface RouterStatus {
  state: "starting" | "running" | "stopped";
  messages: number;
  trades: number;
  rows: number;
  deadLetters: Record<string, number>;
  ackedSeq: number;
  commits: number;
  errors: number;
  lastError: string | null;
  tables: { name: string; committedSeq: number; pendingRows: number; columns: number }[];
}

export class CustomRouter {
  readonly #o: Required<Omit<CustomRouterOptions, "onCommit" | "onError" | "onMigrate">> & Pick<CustomRouterOptions, "onCommit" | "onError" | "onMigrate">;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #writers = new Map<string, Promise<CustomTableWriter>>();
  readonly #abort = new AbortController();
  readonly #dlq = new DeadLetterQueue();
  readonly #quotas: SourceQuotas;
  #pending: JsMsg[] = [];
  #pendingSince: number | undefined;
  #loop: Promise<void> = Promise.resolve();
  #s: RouterStatus = { state: "starting", messages: 0, trades: 0, rows: 0, deadLetters: {}, ackedSeq: 0, commits: 0, errors: 0, lastError: null, tables: [] };

  private constructor(js: JetStreamClient, jsm: JetStreamManager, options: CustomRouterOptions) {
    this.#js = js;
    this.#jsm = jsm;
    this.#o = { stream: STREAMS.custom, durable: "custom-router", maxAgeMs: 1000, maxPendingMessages: 10_000, batchSize: 500, maxOpenTables: 256, clock: systemClock, timeBounds: DEFAULT_TIME_BOUNDS, quotas: {}, ...options };
    const rate = this.#o.quotas.recordsPerSecond ?? 0;
    this.#quotas = new SourceQuotas({ ...this.#o.quotas, burst: this.#o.quotas.burst || burstFor(rate, MAX_RECORDS_PER_MESSAGE) });
  }

  static async start(nc: NatsConnection, options: CustomRouterOptions): Promise<CustomRouter> {
    const r = new CustomRouter(jetstream(nc), await jetstreamManager(nc), options);
    r.#loop = r.#run();
    return r;
  }

  status(): RouterStatus {
    return { ...this.#s, deadLetters: { ...this.#dlq.counts } };
  }

  /** Stops fetching, commits what is buffered (one attempt) and acknowledges it. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let consumer: Consumer | undefined;
    let failures = 0;
    let migrated = false;
    while (!signal.aborted) {
      try {
        if (this.#s.state === "starting" && !migrated) {
          // Old table names first: routed rows must find their pair's table with the txn carried over.
          for (const m of await migrateLegacyCustomTables(this.#o.lake, (err) => this.#note(err))) this.#o.onMigrate?.(m);
          // What each source already has counts against its quota (instruments are only known from here on).
          for (const name of await this.#o.lake.tables()) {
            const pair = parseCustomTableName(name);
            if (pair) this.#quotas.know(pair.source, pair.dataType, this.#o.clock.now());
          }
          migrated = true;
        }
        if (!consumer) {
          // A routing failure left a fetch half-read: commit what was routed, then restart
          // delivery right after it (ack-all must never cover a message that was not routed).
          if (this.#pending.length > 0) await this.#commit();
          consumer = await this.#resume();
          this.#s.state = "running";
        }
        if (this.#pending.length < this.#o.maxPendingMessages) {
          try {
            await this.#fetch(consumer);
          } catch (err) {
            consumer = undefined;
            throw err;
          }
        }
        if (this.#isDue()) await this.#commit();
        failures = 0;
      } catch (err) {
        await this.#failed(err, failures++);
      }
    }
    if (this.#pending.length > 0 || this.#dlq.size > 0) await this.#commit().catch((err: unknown) => this.#note(err));
    this.#s.state = "stopped";
  }

  /** (Re)creates the durable consumer after the ack floor (the first time) or after what we acked. */
  async #resume(): Promise<Consumer> {
    let afterSeq = this.#s.ackedSeq;
    if (this.#s.state === "starting") {
      const info = await this.#jsm.consumers.info(this.#o.stream, this.#o.durable).catch(() => null);
      afterSeq = info ? info.ack_floor.stream_seq : 0;
    }
    const consumer = await resumeLakeConsumer(this.#js, this.#jsm, { stream: this.#o.stream, durable: this.#o.durable, filterSubject: "ingest.>", afterSeq: afterSeq > 0 ? afterSeq : -1 });
    this.#s.ackedSeq = afterSeq;
    return consumer;
  }

  async #fetch(consumer: Consumer): Promise<void> {
    const messages = await consumer.fetch({ max_messages: this.#o.batchSize, expires: 1000 });
    const unlisten = onAbort(this.#abort.signal, () => messages.stop()); // also when closed while the pull was set up
    try {
      for await (const m of messages) {
        if (m.seq <= this.#s.ackedSeq || (this.#pending.length > 0 && m.seq <= this.#pending[this.#pending.length - 1]!.seq)) continue;
        await this.#route(m);
        this.#pending.push(m);
        this.#pendingSince ??= this.#o.clock.now();
      }
    } finally {
      unlisten();
    }
  }

  async #route(m: JsMsg): Promise<void> {
    this.#s.messages++;
    // The time the server stored the message: a publisher can write any Ingest-Time header, but not
    // this. It caps the receive time (time bounds) and is the rate limit's clock, so a router
    // catching up on a backlog sees the rate at which it arrived rather than its own reading speed.
    const storedAt = Math.floor(m.info.timestampNanos / 1e6);
    const msg: LogMessage = { subject: m.subject, seq: m.seq, data: m.data, ingestTime: receiveTime(m.headers?.get("Ingest-Time"), storedAt) };
    for (const d of routeMessage(msg, { timeBounds: this.#o.timeBounds })) await this.#apply(d, msg, storedAt);
  }

  async #apply(d: RouteDecision, m: LogMessage, storedAt: number): Promise<void> {
    if (d.kind !== "dead-letter" && (this.#overRate(d, m, storedAt) || this.#overQuota(d, m))) return;
    switch (d.kind) {
      case "trade":
        this.#o.publisher.accept(d.trade);
        this.#s.trades++;
        return;
      case "row": {
        const writer = await this.#writer(d.table);
        const offer = writer.offer({ seq: m.seq, source: d.source, dataType: d.dataType, ingestTime: m.ingestTime, eventTime: d.eventTime, values: d.values });
        if (offer.kind === "conflict") {
          return this.#dlq.add({ kind: "dead-letter", reason: "schema_conflict", message: `${d.table}: ${offer.message}`, field: offer.column, source: d.source, index: d.index, raw: rawRecord(m, d.index) }, m);
        }
        if (offer.kind === "buffered") this.#s.rows++;
        return;
      }
      case "dead-letter":
        return this.#dlq.add(d, m);
      default:
        assertNever(d, "route decision");
    }
  }

  /**
   * A record past its source's rate is dead-lettered (`rate_limited`; kept in DLQ, replayable), so
   * a flooding source costs the others nothing but the router's time to set its records aside.
   * Gateway records count too: a NATS publisher could forge any header or field that marked them.
   */
  #overRate(d: Exclude<RouteDecision, { kind: "dead-letter" }>, m: LogMessage, storedAt: number): boolean {
    const source = d.kind === "trade" ? d.trade.source : d.source;
    const r = this.#quotas.takeRate(source, 1, storedAt);
    if (r.kind !== "rate_limited") return false;
    this.#dlq.add({ kind: "dead-letter", reason: "rate_limited", message: `${r.message} (CUSTOM_NATS_RATE_LIMIT)`, source, index: d.index, raw: rawRecord(m, d.index) }, m);
    return true;
  }

  /** A new data type or instrument past its source's quota is dead-lettered (`quota_exceeded`). */
  #overQuota(d: Exclude<RouteDecision, { kind: "dead-letter" }>, m: LogMessage): boolean {
    const source = d.kind === "trade" ? d.trade.source : d.source;
    const q = d.kind === "trade" ? this.#quotas.admit(source, MARKET_TYPE, d.trade.symbol, m.ingestTime) : this.#quotas.admit(source, d.dataType, undefined, m.ingestTime);
    if (q.kind !== "quota_exceeded") return false;
    this.#dlq.add({ kind: "dead-letter", reason: "quota_exceeded", message: q.message, field: q.field, source, index: d.index, raw: rawRecord(m, d.index) }, m);
    return true;
  }

  #writer(table: string): Promise<CustomTableWriter> {
    let w = this.#writers.get(table);
    if (w) {
      this.#writers.delete(table); // re-inserted last: the Map's order is recency
      this.#writers.set(table, w);
    } else {
      w = CustomTableWriter.open(this.#o.lake, table, { clock: this.#o.clock });
      w.catch(() => this.#writers.delete(table));
      this.#writers.set(table, w);
    }
    return w;
  }

  #isDue(): boolean {
    if (this.#pending.length === 0) return this.#dlq.size > 0;
    return this.#pending.length >= this.#o.maxPendingMessages || this.#o.clock.now() - (this.#pendingSince ?? 0) >= this.#o.maxAgeMs;
  }

  /** Everything routed so far becomes durable, then one ack-all covers the pending messages. */
  async #commit(): Promise<void> {
    // Taken now: a message routed while this commit awaits is left for the next commit's ack.
    const committing = this.#pending.length;
    const last = this.#pending[committing - 1];
    await this.#dlq.publish(this.#js);
    if (!last) return;
    await this.#o.publisher.flush();
    const flushes: TableFlush[] = [];
    for (const w of await Promise.all(this.#writers.values())) {
      const f = await w.flush();
      if (f) flushes.push(f);
    }
    last.ack();
    this.#pending = this.#pending.slice(committing);
    this.#pendingSince = this.#pending.length > 0 ? this.#o.clock.now() : undefined;
    this.#s.ackedSeq = last.seq;
    this.#s.commits++;
    await this.#closeIdleWriters();
    this.#s.tables = (await Promise.all(this.#writers.values())).map((w) => ({ name: w.name, committedSeq: w.committedSeq, pendingRows: w.pendingRows, columns: w.columns.length }));
    this.#o.onCommit?.(flushes, last.seq);
  }

  /** One writer per table ever seen would grow without bound (issue 12): keep the most recently used. */
  async #closeIdleWriters(): Promise<void> {
    let excess = this.#writers.size - this.#o.maxOpenTables;
    for (const [table, w] of this.#writers) {
      if (excess <= 0) return;
      const writer = await w.catch(() => undefined);
      if (writer === undefined || writer.pendingRows === 0) {
        this.#writers.delete(table);
        excess--;
      }
    }
  }

  #note(err: unknown): void {
    this.#s.errors++;
    this.#s.lastError = err instanceof Error ? err.message : String(err);
    this.#o.onError?.(err);
  }

  async #failed(err: unknown, attempt: number): Promise<void> {
    this.#note(err);
    await sleep(this.#o.clock, backoffDelay(attempt, RETRY_BACKOFF), this.#abort.signal);
  }
}
