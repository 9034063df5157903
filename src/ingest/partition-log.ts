/**
 * The per-partition trade log message, and the idempotency rule that goes with it. The node's
 * publisher (sender.ts) writes it; logs written before it did hold one message per symbol on
 * `md.trades.<partition>.<SYMBOL>` (batch-codec.ts), and every reader takes both.
 *
 * One JetStream message on `md.trades.<partition>.all` holds every (source, symbol) entry one
 * publisher sealed for that partition, each exactly as batch-codec.ts writes it alone:
 *
 * {"v":2,"e":[<batch>,<mark>,...],"cp":1234}
 *   "e":   entries, at most one per symbol (a symbol's entity takes one input per message);
 *   "cp":  the stream sequence of the subject's last checkpoint before this message (absent: none).
 * {"v":2,"e":[...],"hwm":{"binance":{"BTCUSDT":12,...},...}}
 *   a checkpoint: every key's last id on the subject, up to and including this message's entries.
 *
 * Without a subject per symbol, the last message no longer tells a symbol's last id. A publisher
 * keeps the subject's tail instead: the fold of every message on it (`advanceTail`), as of its
 * last sequence. It publishes expecting that sequence; when another publisher wrote in between, it
 * folds the messages it missed and trims its entries to the ids above the tail (`trimEntries`).
 * A publisher new to the subject starts from the last checkpoint (`cp`) and folds forward from
 * there, so it reads about one checkpoint interval of messages, not the stream.
 */
import type { Trade } from "../contracts/trade.js";
import { encodeLogMark, encodeTradeBatch, parseTradeLogJson, tradeLogEntryOfWire, type LogMark, type TradeLogEntry } from "./batch-codec.js";
import { aboveMark } from "./dedup.js";
import { TradeBatchDecodeError } from "./errors.js";
import { TRADE_SUBJECT_PREFIX } from "../runtime/nats/spec.js";

export const PARTITION_MESSAGE_VERSION = 2;

/** The subject of a partition's messages: lower case, so no symbol's subject (upper case) is it, and `md.trades.<p>.>` matches both. */
export function partitionLogSubject(partition: number): string {
  return `${TRADE_SUBJECT_PREFIX}.${partition}.all`;
}

/** Every key's last id: source → symbol → id. */
export class LastIds {
  readonly #bySource = new Map<string, Map<string, number>>();

  get(source: string, symbol: string): number | undefined {
    return this.#bySource.get(source)?.get(symbol);
  }

  /** The key's last id becomes `id` if that is higher. */
  raise(source: string, symbol: string, id: number): void {
    let symbols = this.#bySource.get(source);
    if (symbols === undefined) this.#bySource.set(source, (symbols = new Map()));
    const last = symbols.get(symbol);
    if (last === undefined || id > last) symbols.set(symbol, id);
  }

  get size(): number {
    let n = 0;
    for (const symbols of this.#bySource.values()) n += symbols.size;
    return n;
  }

  clone(): LastIds {
    const copy = new LastIds();
    for (const [source, symbols] of this.#bySource) copy.#bySource.set(source, new Map(symbols));
    return copy;
  }

  toWire(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [source, symbols] of this.#bySource) out[source] = Object.fromEntries(symbols);
    return out;
  }

  static fromWire(w: unknown): LastIds {
    if (typeof w !== "object" || w === null || Array.isArray(w)) throw new TradeBatchDecodeError("hwm is not an object");
    const ids = new LastIds();
    for (const [source, symbols] of Object.entries(w)) {
      if (typeof symbols !== "object" || symbols === null || Array.isArray(symbols)) throw new TradeBatchDecodeError(`hwm of ${source.slice(0, 40)} is not an object`);
      for (const [symbol, id] of Object.entries(symbols as Record<string, unknown>)) {
        if (!Number.isSafeInteger(id)) throw new TradeBatchDecodeError(`hwm of ${source.slice(0, 40)}:${symbol.slice(0, 40)} is ${JSON.stringify(id)?.slice(0, 40)}, not a whole id`);
        ids.raise(source, symbol, id as number);
      }
    }
    return ids;
  }
}

/** One entry to publish: a batch of one key's trades (ascending ids) or one mark. */
export type OutEntry = { trades: readonly Trade[] } | { mark: LogMark };

export interface PartitionMessage {
  entries: TradeLogEntry[];
  /** The subject's last checkpoint before this message (undefined: none, or this is one). */
  checkpointSeq: number | undefined;
  /** Set when this message is a checkpoint: every key's last id on the subject, this message included. */
  checkpoint: LastIds | null;
}

const encoder = new TextEncoder();

/** An entry's key and last id: its mark's, or its last trade's. */
export interface EntryLastId {
  source: string;
  symbol: string;
  lastId: number;
}

/** An entry to publish or one decoded: its mark, or its trades (ascending ids, at least one). */
type AnyEntry = { readonly mark?: LogMark | null; readonly trades?: readonly Trade[] };

export function entryLastId(e: AnyEntry): EntryLastId {
  if (e.mark) return { source: e.mark.source, symbol: e.mark.symbol, lastId: e.mark.lastId };
  const last = e.trades![e.trades!.length - 1]!;
  return { source: last.source, symbol: last.symbol, lastId: last.tradeId };
}

function raiseAll(ids: LastIds, entries: readonly EntryLastId[]): void {
  for (const e of entries) ids.raise(e.source, e.symbol, e.lastId);
}

/**
 * A message of `entries` (none empty). `tail`: the subject's tail it is published after; with
 * `checkpoint`, the message carries every key's last id (the tail's, raised by these entries).
 */
export function encodePartitionMessage(entries: readonly OutEntry[], tail: PartitionTail, checkpoint: boolean): Uint8Array {
  const e = entries.map((x) => ("mark" in x ? encodeLogMark(x.mark) : encodeTradeBatch(x.trades)));
  return spliceEntries(e, entries.map(entryLastId), tail, checkpoint);
}

/**
 * `encodePartitionMessage` for entries already encoded, each exactly as batch-codec.ts writes a
 * per-symbol message (its JSON is spliced in, not parsed again); `lastIds[i]` is entry i's.
 */
export function spliceEntries(entries: readonly Uint8Array[], lastIds: readonly EntryLastId[], tail: PartitionTail, checkpoint: boolean): Uint8Array {
  // The decoder refuses a symbol's second entry: writers send a symbol once per message.
  if (entries.length === 0) throw new TradeBatchDecodeError("cannot encode a partition message without entries");
  let end = "}";
  if (checkpoint) {
    const hwm = tail.lastIds.clone();
    raiseAll(hwm, lastIds);
    end = `,"hwm":${JSON.stringify(hwm.toWire())}}`;
  } else if (tail.checkpointSeq !== undefined) end = `,"cp":${tail.checkpointSeq}}`;
  const head = encoder.encode(`{"v":${PARTITION_MESSAGE_VERSION},"e":[`);
  const tailBytes = encoder.encode(`]${end}`);
  let size = head.length + tailBytes.length + entries.length - 1;
  for (const e of entries) size += e.length;
  const out = new Uint8Array(size);
  out.set(head, 0);
  let at = head.length;
  entries.forEach((e, i) => {
    if (i > 0) out[at++] = 0x2c; // ","
    out.set(e, at);
    at += e.length;
  });
  out.set(tailBytes, at);
  return out;
}

/** The subject of a partition message (any other TRADES subject names one symbol). */
export function isPartitionLogSubject(subject: string): boolean {
  return subject.endsWith(".all");
}

/**
 * Every entry of a TRADES message of either layout: the one of a per-symbol message, or each
 * symbol's of a per-partition one. For readers that take the whole log (the lake, `verify`).
 */
export function decodeTradeLogEntries(data: Uint8Array | string): TradeLogEntry[] {
  const w = parseTradeLogJson(data);
  if (typeof w === "object" && w !== null && (w as { v?: unknown }).v === PARTITION_MESSAGE_VERSION) return partitionMessageOf(w).entries;
  return [tradeLogEntryOfWire(w)];
}

/** Every trade of a TRADES message of either layout, in entry order (marks hold none). */
export function decodeTradeLogTrades(data: Uint8Array | string): Trade[] {
  const entries = decodeTradeLogEntries(data);
  return entries.length === 1 ? entries[0]!.trades : entries.flatMap((e) => e.trades);
}

export function decodePartitionMessage(data: Uint8Array | string): PartitionMessage {
  return partitionMessageOf(parseTradeLogJson(data));
}

function partitionMessageOf(w: unknown): PartitionMessage {
  if (typeof w !== "object" || w === null) throw new TradeBatchDecodeError("partition message is not an object");
  const m = w as { v?: unknown; e?: unknown; cp?: unknown; hwm?: unknown };
  if (m.v !== PARTITION_MESSAGE_VERSION) throw new TradeBatchDecodeError(`partition message of unknown version ${JSON.stringify(m.v)?.slice(0, 20)}`);
  if (!Array.isArray(m.e) || m.e.length === 0) throw new TradeBatchDecodeError("partition message without entries");
  if (m.cp !== undefined && !(Number.isSafeInteger(m.cp) && (m.cp as number) > 0)) throw new TradeBatchDecodeError(`partition message cp ${JSON.stringify(m.cp)?.slice(0, 20)} is not a stream sequence`);
  const keys = new Set<string>();
  return {
    entries: m.e.map((wire, k) => {
      let entry: TradeLogEntry;
      try {
        entry = tradeLogEntryOfWire(wire);
      } catch (err) {
        throw new TradeBatchDecodeError(`partition message entry ${k}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      const { symbol } = entry.mark ?? entry.trades[0]!;
      if (keys.has(symbol)) throw new TradeBatchDecodeError(`partition message entry ${k}: a second entry of ${symbol.slice(0, 40)} (one per symbol)`);
      keys.add(symbol);
      return entry;
    }),
    checkpointSeq: m.cp as number | undefined,
    checkpoint: m.hwm === undefined ? null : LastIds.fromWire(m.hwm),
  };
}

/** A partition message's inputs for the symbols' entities: [symbol, its entry], one per symbol. */
export function partitionMessageParts(data: Uint8Array | string): Array<[string, TradeLogEntry]> {
  return decodePartitionMessage(data).entries.map((e) => [(e.mark ?? e.trades[0]!).symbol, e]);
}

/** What a publisher knows of a partition subject: the fold of its messages up to `seq` (0: none). */
export interface PartitionTail {
  seq: number;
  checkpointSeq: number | undefined;
  lastIds: LastIds;
}

export function emptyTail(): PartitionTail {
  return { seq: 0, checkpointSeq: undefined, lastIds: new LastIds() };
}

/** Folds the message at `seq` into the tail (in place): a checkpoint replaces the last ids, entries raise them. */
export function advanceTail(tail: PartitionTail, seq: number, m: PartitionMessage): void {
  if (seq <= tail.seq) throw new RangeError(`partition tail at ${tail.seq} cannot fold message ${seq}: messages fold in stream order`);
  tail.seq = seq;
  if (m.checkpoint !== null) {
    tail.lastIds = m.checkpoint.clone();
    tail.checkpointSeq = seq;
    return;
  }
  raiseAll(tail.lastIds, m.entries.map(entryLastId));
}

/** Folds this publisher's own message, just acked at `seq`, into the tail (in place), without decoding it. */
export function advanceTailOwn(tail: PartitionTail, seq: number, entries: readonly EntryLastId[], checkpoint: boolean): void {
  if (seq <= tail.seq) throw new RangeError(`partition tail at ${tail.seq} cannot fold message ${seq}: messages fold in stream order`);
  tail.seq = seq;
  raiseAll(tail.lastIds, entries);
  if (checkpoint) tail.checkpointSeq = seq;
}

/**
 * The entries as they may follow the tail: each batch trimmed to the ids above its key's last id
 * (a batch with none left goes), a mark written before trades the log already holds dropped (the
 * log went on past it, so its watermark is not this publisher's to give). `trimmed` counts the
 * trades dropped. Pure.
 */
export function trimEntries(entries: readonly OutEntry[], lastIds: LastIds): { kept: OutEntry[]; trimmed: number } {
  const kept: OutEntry[] = [];
  let trimmed = 0;
  for (const e of entries) {
    if ("mark" in e) {
      const last = lastIds.get(e.mark.source, e.mark.symbol);
      if (last === undefined || e.mark.lastId >= last) kept.push(e);
      continue;
    }
    const first = e.trades[0]!;
    const above = aboveMark(e.trades, lastIds.get(first.source, first.symbol));
    trimmed += e.trades.length - above.length;
    if (above.length > 0) kept.push(above === e.trades ? e : { trades: above });
  }
  return { kept, trimmed };
}
