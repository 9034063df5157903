/**
 * Zero loss for the scale bench, from the log alone (no lake): every trade id the simulator emitted
 * is in TRADES exactly once (distinct ids, copies, holes per symbol), and every window those trades
 * close is in SILVER exactly once up to the last bar the symbol's SymbolActor emitted: a trade that
 * never reached its partition's actor leaves a window missing. Uses src/verify's accumulators.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { SilverBar } from "../src/contracts/silver-bar.js";
import type { WindowOptions } from "../src/market/windows.js";
import { STREAMS } from "../src/runtime/nats/spec.js";
import { barVerdict, decodeLogEntries, ExpectedBars, holes, LogTrades, SilverWindows } from "../src/verify/index.js";
import { readStreamSlice } from "../src/runtime/nats/stream-slice.js";

export interface LogCheck {
  /** TRADES messages read (each one symbol's batch, or one partition's batches). */
  messages: number;
  /** Distinct (symbol, trade id) pairs in the log. */
  distinctTrades: number;
  /** Trades the log holds more than once (copies beyond the first). */
  copies: number;
  /** Ids missing between the first and last id of a symbol. */
  holes: number;
  /** Ids missing before a symbol's first id in the log (the source's ids start at `firstId`). */
  missingAtStart: number;
  symbolsInLog: number;
  bars: number;
  missingBars: number;
  doubledBars: number;
}

/** `firstId`: the id every symbol's trades start at (the synthetic market's 1,000,000). */
export async function checkLog(nc: NatsConnection, windows: Partial<WindowOptions>, firstId?: number): Promise<LogCheck> {
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const symbols = new Map<string, { ids: LogTrades; bars: ExpectedBars; silver: SilverWindows; lastIndex: number | null }>();
  const of = (symbol: string) => {
    let s = symbols.get(symbol);
    if (!s) symbols.set(symbol, (s = { ids: new LogTrades(), bars: new ExpectedBars(symbol, windows), silver: new SilverWindows(), lastIndex: null }));
    return s;
  };
  const tradesEnd = (await jsm.streams.info(STREAMS.trades)).state.last_seq;
  const read = await readStreamSlice(js, { stream: STREAMS.trades, subject: "md.trades.>", endSeq: tradesEnd }, (m) => {
    for (const entry of decodeLogEntries(m.data)) {
      for (const t of entry.trades) {
        const s = of(t.symbol);
        s.ids.add(t.tradeId);
        s.bars.add(t);
      }
      if (entry.mark !== null) of(entry.mark.symbol).bars.mark(entry.mark);
    }
  });
  let bars = 0;
  const silverEnd = (await jsm.streams.info(STREAMS.silver)).state.last_seq;
  await readStreamSlice(js, { stream: STREAMS.silver, subject: "silver.>", endSeq: silverEnd }, (m) => {
    const bar = JSON.parse(new TextDecoder().decode(m.data)) as SilverBar;
    const s = of(bar.symbol);
    const index = bar.windowStart / s.bars.slideMs;
    s.silver.add(index);
    s.lastIndex = Math.max(s.lastIndex ?? index, index);
    bars++;
  });
  const out: LogCheck = { messages: read.messages, distinctTrades: 0, copies: 0, holes: 0, missingAtStart: 0, symbolsInLog: 0, bars, missingBars: 0, doubledBars: 0 };
  for (const [symbol, s] of symbols) {
    if (s.ids.ids.size > 0) out.symbolsInLog++;
    out.distinctTrades += s.ids.ids.size;
    out.copies += s.ids.repeats;
    out.holes += holes(s.ids.ids).size;
    const min = s.ids.ids.min;
    if (firstId !== undefined && min !== undefined) out.missingAtStart += Math.max(0, min - firstId);
    const v = barVerdict({ symbol, expected: s.bars, silver: s.silver, horizonIndex: s.lastIndex, limit: 5 });
    out.missingBars += v.missing.count;
    out.doubledBars += v.doubled.count;
  }
  return out;
}
