/**
 * `verifyLake`: reconciles the TRADES log, bronze_trades and silver_bars. The thin I/O shell around
 * reconcile.ts: it takes one snapshot of each table first (its txn names the last log sequence it
 * holds), reads the log only up to there — what is not committed yet is not a hole — and feeds
 * every record into per-symbol accumulators, one message and one file at a time.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Lake } from "../lake/lake.js";
import { BRONZE_TRADES_APP_ID, BRONZE_TRADES_TABLE } from "../lake/tables/bronze-trades.js";
import { SILVER_BARS_APP_ID, SILVER_BARS_TABLE } from "../lake/tables/silver-bars.js";
import { decodeTrades } from "../lake/writer/jetstream.js";
import type { TradeLogEntry } from "../ingest/batch-codec.js";
import { decodeTradeLogEntries } from "../ingest/partition-log.js";
import { TradeBatchDecodeError } from "../ingest/errors.js";
import type { GapEvent } from "../ingest/publisher-types.js";
import { hasConsecutiveIds } from "../market/trade.js";
import type { WindowOptions } from "../market/windows.js";
import { ALL_TRADES, eventSubject, STREAMS } from "../runtime/nats/spec.js";
import { RangeSet } from "./range-set.js";
import { barVerdict, BronzeTrades, ExpectedBars, hasBarFinding, hasTradeFinding, LogTrades, SilverWindows, statusOf, totalsOf, tradeVerdict } from "./reconcile.js";
import { readStreamSlice, streamLastSeq, type SliceRead } from "../runtime/nats/stream-slice.js";
import { openTableView, readBronzeIds, readSilverWindows } from "./table-slices.js";
import { readServingWindows, servingAckFloor, type ServingTarget } from "./serving-slices.js";
import type { BarVerdict, StreamRange, TradeVerdict, VerifyReport } from "./types.js";

/** Where `admin verify` publishes each report (the EVENTS stream keeps it for the control page). */
export const VERIFY_EVENT_SUBJECT = eventSubject("verify", "report");

export interface VerifyLakeOptions {
  nc: NatsConnection;
  lake: Lake;
  /** Compare log messages stored from this time (ms); null/undefined: all the log still holds. */
  sinceMs?: number | null;
  /** The symbol actors' window spec (default 30 s sliding 10 s, 2 s lateness). */
  windows?: Partial<WindowOptions>;
  streams?: { trades: string; silver: string; events: string };
  /** Sources whose ids are consecutive (holes are meaningful only there). Default: hasConsecutiveIds. */
  consecutiveIds?: (source: string) => boolean;
  /** Also compare PostgreSQL's serving silver_bars (up to the serving consumer's ack floor). */
  serving?: ServingTarget;
  /** Ranges listed per finding. Default 20. */
  rangesPerFinding?: number;
  now?: () => number;
  /** Aborted (the node shutting down): the verification stops within a message or a file and throws the signal's reason. */
  signal?: AbortSignal;
}

export class VerifyLogMissing extends Error {
  override readonly name = "VerifyLogMissing";
}

interface SymbolState {
  sources: Map<string, LogTrades>;
  bars: ExpectedBars;
}

const decoder = new TextDecoder();

/**
 * A TRADES message's entries: the ingest batch format (trades or a mark), a per-partition message
 * (one entry per symbol), or (older writers, tests) one JSON trade or an array.
 */
export function decodeLogEntries(data: Uint8Array): TradeLogEntry[] {
  try {
    return decodeTradeLogEntries(data);
  } catch (err) {
    if (!(err instanceof TradeBatchDecodeError)) throw err;
    return [{ trades: decodeTrades(data), mark: null }];
  }
}

function streamRange(stream: string, read: SliceRead, committedSeq: number, lastSeq: number | null): StreamRange {
  return { stream, fromSeq: read.fromSeq, toSeq: read.toSeq, committedSeq, uncommitted: Math.max(0, (lastSeq ?? 0) - Math.max(committedSeq, 0)), messages: read.messages };
}

export async function verifyLake(o: VerifyLakeOptions): Promise<VerifyReport> {
  const now = o.now ?? Date.now;
  const startedAt = now();
  const since = o.sinceMs ?? null;
  const streams = o.streams ?? { trades: STREAMS.trades, silver: STREAMS.silver, events: STREAMS.events };
  const consecutive = o.consecutiveIds ?? hasConsecutiveIds;
  const signal = o.signal;
  const limit = o.rangesPerFinding ?? 20;
  const notes: string[] = [];
  const js = jetstream(o.nc);
  const jsm = await jetstreamManager(o.nc);

  // Snapshots first: the log is then read only up to what they hold.
  const bronze = await openTableView(o.lake, BRONZE_TRADES_TABLE, BRONZE_TRADES_APP_ID);
  const silver = await openTableView(o.lake, SILVER_BARS_TABLE, SILVER_BARS_APP_ID);
  if (!bronze) notes.push(`no ${BRONZE_TRADES_TABLE} table yet`);
  if (!silver) notes.push(`no ${SILVER_BARS_TABLE} table yet`);
  const bronzeSeq = bronze?.committedSeq ?? -1;
  const silverSeq = silver?.committedSeq ?? -1;

  const tradesLast = await streamLastSeq(jsm, streams.trades);
  if (tradesLast === null) throw new VerifyLogMissing(`stream ${streams.trades} does not exist`);
  const symbols = new Map<string, SymbolState>();
  const of = (symbol: string) => {
    let s = symbols.get(symbol);
    if (!s) symbols.set(symbol, (s = { sources: new Map(), bars: new ExpectedBars(symbol, o.windows) }));
    return s;
  };
  let undecodable = 0;
  const tradesRead = await readStreamSlice(js, { stream: streams.trades, subject: ALL_TRADES, startTime: since, endSeq: bronzeSeq }, (m) => {
    let entries: TradeLogEntry[];
    try {
      entries = decodeLogEntries(m.data);
    } catch {
      undecodable++;
      return;
    }
    for (const entry of entries) {
      for (const t of entry.trades) {
        const s = of(t.symbol);
        let ids = s.sources.get(t.source);
        if (!ids) s.sources.set(t.source, (ids = new LogTrades()));
        ids.add(t.tradeId);
        s.bars.add(t);
      }
      if (entry.mark !== null) symbols.get(entry.mark.symbol)?.bars.mark(entry.mark);
    }
  }, signal);
  if (undecodable > 0) notes.push(`${undecodable} TRADES message(s) could not be decoded (the bronze writer skips them too)`);

  const gaps = await reportedGaps(js, jsm, streams.events, signal);
  const horizons = new Map<string, number>();
  const servingHorizons = new Map<string, number>();
  const servingDurable = o.serving?.durable ?? "serving";
  const servingFloor = o.serving ? await servingAckFloor(jsm, streams.silver, servingDurable) : null;
  if (o.serving && servingFloor === null) notes.push(`no consumer "${servingDurable}" on ${streams.silver}: the serving table is not compared`);
  const atMost = (m: Map<string, number>, symbol: string, start: number) => m.set(symbol, Math.max(m.get(symbol) ?? -Infinity, start));
  const silverLast = await streamLastSeq(jsm, streams.silver);
  const silverRead =
    silverLast === null
      ? { fromSeq: null, toSeq: null, messages: 0 }
      : await readStreamSlice(js, { stream: streams.silver, subject: "silver.>", startTime: since, endSeq: Math.max(silverSeq, servingFloor ?? -1) }, (m) => {
          const bar = JSON.parse(decoder.decode(m.data)) as { symbol: string; windowStart: number };
          if (m.seq <= silverSeq) atMost(horizons, bar.symbol, bar.windowStart);
          if (servingFloor !== null && m.seq <= servingFloor) atMost(servingHorizons, bar.symbol, bar.windowStart);
        }, signal);
  if (silverLast === null) notes.push(`stream ${streams.silver} does not exist: bars are not compared`);

  const trades: TradeVerdict[] = [];
  const bars: BarVerdict[] = [];
  const serving: BarVerdict[] = [];
  for (const [symbol, s] of [...symbols].sort(([a], [b]) => a.localeCompare(b))) {
    signal?.throwIfAborted();
    for (const [source, log] of s.sources) {
      const held = new BronzeTrades();
      if (bronze && log.ids.min !== undefined) await readBronzeIds(bronze, source, symbol, log.ids.min, held, signal);
      trades.push(tradeVerdict({ source, symbol, consecutiveIds: consecutive(source), log, bronze: held, reportedGaps: gaps.get(`${source}:${symbol}`), limit }));
    }
    if (silverLast === null) continue;
    const present = new SilverWindows();
    const first = s.bars.firstIndex;
    if (silver && first !== null) await readSilverWindows(silver, symbol, first * s.bars.slideMs, s.bars.slideMs, present, signal);
    const index = (start: number | undefined) => (start === undefined ? null : start / s.bars.slideMs);
    bars.push(barVerdict({ symbol, expected: s.bars, silver: present, horizonIndex: index(horizons.get(symbol)), limit }));
    if (o.serving && servingFloor !== null) {
      const rows = new SilverWindows();
      if (first !== null) await readServingWindows(o.serving.db, symbol, first * s.bars.slideMs, s.bars.slideMs, rows);
      serving.push(barVerdict({ symbol, expected: s.bars, silver: rows, horizonIndex: index(servingHorizons.get(symbol)), limit }));
    }
  }

  const totals = totalsOf(trades, bars, serving);
  return {
    status: statusOf(totals),
    since,
    startedAt,
    finishedAt: now(),
    trades: streamRange(streams.trades, tradesRead, bronzeSeq, tradesLast),
    silver: streamRange(streams.silver, silverRead, silverSeq, silverLast),
    totals,
    tradeFindings: trades.filter(hasTradeFinding),
    barFindings: bars.filter(hasBarFinding),
    serving: o.serving && servingFloor !== null ? { durable: servingDurable, ackFloor: servingFloor } : null,
    servingFindings: serving.filter(hasBarFinding),
    notes,
  };
}

/** Exchange gaps ingest reported (`events.ingest.gap.<SYMBOL>`), by "source:symbol". */
async function reportedGaps(js: JetStreamClient, jsm: JetStreamManager, events: string, signal?: AbortSignal): Promise<Map<string, RangeSet>> {
  const out = new Map<string, RangeSet>();
  const last = await streamLastSeq(jsm, events);
  if (last === null) return out;
  await readStreamSlice(js, { stream: events, subject: eventSubject("ingest", "gap", ">"), endSeq: last }, (m) => {
    const g = JSON.parse(decoder.decode(m.data)) as GapEvent;
    const key = `${g.source}:${g.symbol}`;
    let set = out.get(key);
    if (!set) out.set(key, (set = new RangeSet()));
    set.addRange(g.fromId, g.toId);
  }, signal);
  return out;
}
