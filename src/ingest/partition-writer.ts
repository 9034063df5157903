/**
 * A stand-alone writer of per-partition trade messages (partition-log.ts), for a bench or a test
 * that writes a partition's entries directly: `npm run bench -- log-layout` and
 * test/market-e2e/partition-messages.test.ts. The node's publisher (publisher.ts, sender.ts)
 * follows the same rules with its spool, marks and takeovers: one publish in flight per partition
 * subject, expecting the subject's last sequence; on a conflict the writer folds what the other
 * wrote, trims and sends again. Queued entries go out together in the next message, so a backlog
 * makes bigger messages, not more of them. It has no spool: a publish failure other than a
 * conflict stops the writer (`failure`).
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { advanceTailOwn, entryLastId, encodePartitionMessage, trimEntries, type OutEntry, type PartitionTail } from "./partition-log.js";
import { foldForward, readPartitionTail } from "./partition-tail.js";

export interface PartitionWriterOptions {
  stream: string;
  /** A message is a checkpoint when the subject's last one is this old or more (ms). Default 1000. */
  checkpointMs?: number;
  /** At most this many trades per message; the rest waits for the next. Default 20,000. */
  maxMessageTrades?: number;
  publishTimeoutMs?: number;
  now?: () => number;
}

interface Lane {
  subject: string;
  queue: OutEntry[];
  busy: boolean;
  tail: PartitionTail | undefined;
  checkpointAt: number;
}

export class PartitionLogWriter {
  readonly stats = { messages: 0, bytes: 0, checkpoints: 0, conflicts: 0, tailReads: 0, tradesTrimmed: 0 };
  /** The first failure (not a conflict); the writer stops publishing after it. */
  failure: unknown = undefined;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #o: Required<PartitionWriterOptions>;
  readonly #lanes = new Map<string, Lane>();
  #idle: (() => void)[] = [];

  constructor(js: JetStreamClient, jsm: JetStreamManager, options: PartitionWriterOptions) {
    this.#js = js;
    this.#jsm = jsm;
    this.#o = { checkpointMs: 1000, maxMessageTrades: 20_000, publishTimeoutMs: 10_000, now: Date.now, ...options };
  }

  /** Queues entries for the subject (each key's in log order); they go out in its next message. */
  send(subject: string, entries: readonly OutEntry[]): void {
    if (this.failure !== undefined) throw new Error(`partition writer stopped: ${String(this.failure)}`);
    let lane = this.#lanes.get(subject);
    if (lane === undefined) this.#lanes.set(subject, (lane = { subject, queue: [], busy: false, tail: undefined, checkpointAt: 0 }));
    lane.queue.push(...entries);
    if (!lane.busy) void this.#run(lane);
  }

  /** Entries queued and not yet in the log. */
  get queued(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.queue.length;
    return n;
  }

  /** The tail this writer knows for a subject (undefined before its first publish there). */
  tail(subject: string): PartitionTail | undefined {
    return this.#lanes.get(subject)?.tail;
  }

  /** Resolves when every queued entry is in the log; rejects with the failure if the writer stopped. */
  async drained(): Promise<void> {
    while (this.failure === undefined && [...this.#lanes.values()].some((l) => l.busy || l.queue.length > 0)) await new Promise<void>((r) => this.#idle.push(r));
    if (this.failure !== undefined) throw this.failure;
  }

  async #run(lane: Lane): Promise<void> {
    lane.busy = true;
    try {
      while (lane.queue.length > 0) await this.#publishNext(lane);
    } catch (err) {
      this.failure ??= err;
    } finally {
      lane.busy = false;
      for (const wake of this.#idle.splice(0)) wake();
    }
  }

  async #publishNext(lane: Lane): Promise<void> {
    if (lane.tail === undefined) {
      this.stats.tailReads++;
      lane.tail = await readPartitionTail(this.#js, this.#jsm, this.#o.stream, lane.subject);
    }
    const tail = lane.tail;
    const taken = this.#take(lane);
    const { kept, trimmed } = trimEntries(taken, tail.lastIds);
    this.stats.tradesTrimmed += trimmed;
    if (kept.length === 0) return;
    const now = this.#o.now();
    const checkpoint = tail.checkpointSeq === undefined || now - lane.checkpointAt >= this.#o.checkpointMs;
    const payload = encodePartitionMessage(kept, tail, checkpoint);
    try {
      const ack = await this.#js.publish(lane.subject, payload, { timeout: this.#o.publishTimeoutMs, expect: { lastSubjectSequence: tail.seq } });
      advanceTailOwn(tail, ack.seq, kept.map(entryLastId), checkpoint);
      this.stats.messages++;
      this.stats.bytes += payload.length;
      if (checkpoint) {
        this.stats.checkpoints++;
        lane.checkpointAt = now;
      }
    } catch (err) {
      if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence)) throw err;
      // Another writer went first: fold what it wrote; the next round trims these entries against it.
      this.stats.conflicts++;
      lane.queue.unshift(...taken);
      const last = await this.#jsm.streams.getMessage(this.#o.stream, { last_by_subj: lane.subject });
      // The subject lost messages under our tail (purged, or aged out): read its tail afresh.
      if (last === null || last.seq < tail.seq) lane.tail = undefined;
      else await foldForward(this.#js, this.#o.stream, lane.subject, tail, last.seq);
    }
  }

  /**
   * The queue's head as one message's entries: up to `maxMessageTrades` trades (at least one entry),
   * each symbol's queued batches joined into one entry, so a symbol appears once per message. It
   * stops before a symbol's second entry that cannot join its first (a mark, trades after one, or
   * another source's trades of the same symbol).
   */
  #take(lane: Lane): OutEntry[] {
    // Each symbol's entries in order; a symbol's batches are joined once, at the end.
    const bySymbol = new Map<string, OutEntry[]>();
    let trades = 0;
    let n = 0;
    for (const e of lane.queue) {
      const size = "mark" in e ? 0 : e.trades.length;
      if (n > 0 && trades + size > this.#o.maxMessageTrades) break;
      const key = entryKey(e);
      const mine = bySymbol.get(key);
      if (mine === undefined) bySymbol.set(key, [e]);
      else {
        const first = mine[0]!;
        if ("mark" in e || "mark" in first || e.trades[0]!.source !== first.trades[0]!.source) break;
        mine.push(e);
      }
      trades += size;
      n++;
    }
    lane.queue.splice(0, n);
    return [...bySymbol.values()].map((mine) => (mine.length === 1 ? mine[0]! : { trades: mine.flatMap((e) => ("mark" in e ? [] : e.trades)) }));
  }
}

function entryKey(e: OutEntry): string {
  return ("mark" in e ? e.mark : e.trades[0]!).symbol;
}
