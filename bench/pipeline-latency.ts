/**
 * Where a bar's trade → prediction latency goes, from what the log already records: the closing
 * trade's ingest time (in the bar), the server time its TRADES batch was stored, the actor's emit
 * time (in the bar) and the server time the bar was stored in SILVER. Same machine, same clock.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { SilverBar } from "../src/contracts/silver-bar.js";
import { decodeTradeLogEntries } from "../src/ingest/partition-log.js";
import { summarize, type LatencySummary } from "../src/runtime/latency.js";

interface Stored {
  data: Uint8Array;
  storedAt: number;
}

async function readWithTimes(nc: NatsConnection, stream: string): Promise<Stored[]> {
  const expected = (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  const consumer = await jetstream(nc).consumers.get(stream);
  const out: Stored[] = [];
  while (out.length < expected) {
    let got = 0;
    for await (const m of await consumer.fetch({ max_messages: 1000, expires: 2000 })) {
      out.push({ data: m.data, storedAt: m.info.timestampNanos / 1e6 });
      got++;
    }
    if (got === 0) break;
  }
  return out;
}

export interface LatencyBreakdown {
  /** Bars considered (after warm-up) and how many had their closing trade or mark found in TRADES. */
  bars: number;
  matched: number;
  total: LatencySummary;
  /**
   * Bars closed by a trade: trade → prediction proper. The rest were closed by an idle mark (a
   * quiet symbol's; at the end of a run every symbol goes quiet), timed from the mark.
   */
  closedByTrade: LatencySummary;
  /** Bars closed by an idle mark (their closing ingest time is the mark's). */
  closedByMark: LatencySummary;
  /** Bars whose closing trade or mark was not found in TRADES. */
  unmatched: LatencySummary;
  /** Ingest → TRADES stored: the publisher's batching linger and the publish round trip. */
  ingestToLog: LatencySummary;
  /** TRADES stored → actor emits the bar: consumer fetch, mailbox, transition. */
  logToEmit: LatencySummary;
  /** Emit → SILVER stored: the bar's publish. */
  emitToSilver: LatencySummary;
}

/** Bars ending at or after `fromWindowEnd` only (warm-up excluded). */
export async function latencyBreakdown(nc: NatsConnection, fromWindowEnd: (bars: SilverBar[]) => number): Promise<LatencyBreakdown> {
  const silver = (await readWithTimes(nc, "SILVER")).map((s) => ({ bar: JSON.parse(new TextDecoder().decode(s.data)) as SilverBar, storedAt: s.storedAt }));
  const from = fromWindowEnd(silver.map((s) => s.bar));
  const steady = silver.filter((s) => s.bar.windowEnd >= from);
  // (symbol, ingest time) → when the first batch holding a trade of that symbol ingested then was stored.
  const storedAt = new Map<string, number>();
  // Marks too: a bar closed by an idle mark records the mark's `at` as its closing ingest time.
  const markAt = new Set<string>();
  for (const m of await readWithTimes(nc, "TRADES")) {
    for (const entry of decodeTradeLogEntries(m.data)) {
      if (entry.mark !== null) {
        const key = `${entry.mark.symbol}@${entry.mark.at}`;
        markAt.add(key);
        if (!storedAt.has(key)) storedAt.set(key, m.storedAt);
      }
      for (const t of entry.trades) {
        const key = `${t.symbol}@${t.ingestTime}`;
        if (!storedAt.has(key)) storedAt.set(key, m.storedAt);
      }
    }
  }
  const ingestToLog: number[] = [];
  const logToEmit: number[] = [];
  const byTrade: number[] = [];
  const byMark: number[] = [];
  const unmatched: number[] = [];
  for (const { bar } of steady) {
    const key = `${bar.symbol}@${bar.closedByIngestTime}`;
    const latency = bar.emittedAt - bar.closedByIngestTime;
    const at = storedAt.get(key);
    if (at === undefined) {
      unmatched.push(latency);
      continue;
    }
    (markAt.has(key) ? byMark : byTrade).push(latency);
    ingestToLog.push(at - bar.closedByIngestTime);
    logToEmit.push(bar.emittedAt - at);
  }
  return {
    bars: steady.length,
    matched: ingestToLog.length,
    total: summarize(steady.map((s) => s.bar.emittedAt - s.bar.closedByIngestTime)),
    closedByTrade: summarize(byTrade),
    closedByMark: summarize(byMark),
    unmatched: summarize(unmatched),
    ingestToLog: summarize(ingestToLog),
    logToEmit: summarize(logToEmit),
    emitToSilver: summarize(steady.map((s) => s.storedAt - s.bar.emittedAt)),
  };
}

const ms = (v: number | null) => (v === null ? "–" : `${Math.round(v * 10) / 10}`);
export const describe = (s: LatencySummary) => `p50 ${ms(s.p50)} / p99 ${ms(s.p99)} / max ${ms(s.max)} ms`;
