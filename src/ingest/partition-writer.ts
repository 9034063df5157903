/**
 * Writes per-partition trade messages (partition-log.ts) to TRADES, idempotent per trade id
 * however many writers share a partition: one publish in flight per partition subject, expecting
 * the subject's last sequence; on a conflict the writer folds what the other wrote, trims and
 * sends again. Queued entries go out together in the next message, so a backlog makes bigger
 * messages, not more of them.
 *
 * Used by `npm run bench -- log-layout` and its tests; the node's publisher (publisher.ts,
 * sender.ts) does not use it yet, so it has no spool: a publish failure other than a conflict
 * stops the writer (`failure`).
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { readStreamSlice } from "../runtime/nats/stream-slice.js";
import { advanceTail, advanceTailOwn, decodePartitionMessage, entryLastId, emptyTail, encodePartitionMessage, trimEntries, type OutEntry, type PartitionTail } from "./partition-log.js";

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

/** A message on the subject that is not a partition message, or a tail read that found a hole. */
export class PartitionTailUnreadable extends Error {
  override readonly name = "PartitionTailUnreadable";
}

/**
 * The subject's tail: from its last message, if that is a checkpoint; else from the checkpoint it
 * names, folding forward; else (no checkpoint, or it aged out) from the subject's first message.
 */
export async function readPartitionTail(js: JetStreamClient, jsm: JetStreamManager, stream: string, subject: string): Promise<PartitionTail> {
  const last = await jsm.streams.getMessage(stream, { last_by_subj: subject });
  if (last === null) return emptyTail();
  const top = decodePartitionMessage(last.data);
  const tail = emptyTail();
  if (top.checkpoint !== null) {
    advanceTail(tail, last.seq, top);
    return tail;
  }
  if (top.checkpointSeq !== undefined) {
    const cp = await jsm.streams.getMessage(stream, { seq: top.checkpointSeq }).catch(() => null);
    if (cp !== null && cp.subject === subject) advanceTail(tail, cp.seq, decodePartitionMessage(cp.data));
  }
  await foldForward(js, stream, subject, tail, last.seq);
  return tail;
}

/** Folds the subject's messages after `tail.seq`, at least up to `upTo`, into the tail. */
export async function foldForward(js: JetStreamClient, stream: string, subject: string, tail: PartitionTail, upTo: number): Promise<void> {
  if (upTo <= tail.seq) return;
  await readStreamSlice(js, { stream, subject, startSeq: tail.seq + 1, endSeq: upTo }, (m) => advanceTail(tail, m.seq, decodePartitionMessage(m.data)));
  if (tail.seq < upTo) throw new PartitionTailUnreadable(`${stream} ${subject}: the tail read stopped at seq ${tail.seq}, before ${upTo}`);
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
