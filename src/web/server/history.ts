/**
 * Chart history: from the serving tables when a database is configured, otherwise from the
 * tail of the CANDLES / SILVER streams. Symbols come from the same place plus live ticks.
 */
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { Database } from "../../db/database.js";
import { readCandles1m, readSilverBars } from "../../db/serving/read.js";
import type { Candle1mRow } from "../../contracts/candle.js";
import type { SilverBarRow } from "../../contracts/silver-bar.js";
import { STREAMS, candleSubject, silverSubject } from "../../runtime/nats/spec.js";
import { decodeCandle, decodeSilverBar, symbolOfSubject } from "./decode.js";
import { HistoryReadFailed, MarketDataUnavailable } from "./errors.js";
import { readLastMessages } from "./feeds/log-history.js";
import { barView, barViewOfRow, candleView, type BarView, type CandleView } from "./views.js";

export interface MarketHistory {
  readonly source: "database" | "log";
  candles(symbol: string, limit: number): Promise<CandleView[]>;
  bars(symbol: string, limit: number): Promise<BarView[]>;
  symbols(): Promise<string[]>;
}

async function dbRead<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new HistoryReadFailed(`reading ${what} failed: ${(err as Error).message}`, { cause: err });
  }
}

export function databaseHistory(db: Database): MarketHistory {
  return {
    source: "database",
    async candles(symbol, limit) {
      const rows: Candle1mRow[] = await dbRead(`candles of ${symbol}`, () => readCandles1m(db, symbol, { limit }));
      return rows.map((r) => candleView(r));
    },
    async bars(symbol, limit) {
      const rows: SilverBarRow[] = await dbRead(`bars of ${symbol}`, () => readSilverBars(db, symbol, { limit }));
      return rows.map(barViewOfRow);
    },
    async symbols() {
      const { rows } = await dbRead("symbols", () =>
        db.query<{ symbol: string }>("SELECT symbol FROM silver_bars UNION SELECT symbol FROM candles_1m ORDER BY symbol"),
      );
      return rows.map((r) => r.symbol);
    },
  };
}

const CANDLE_CADENCE_MS = 60_000;
const BAR_CADENCE_MS = 10_000;

export function logHistory(nc: NatsConnection, onMalformed?: (kind: string) => void): MarketHistory {
  return {
    source: "log",
    async candles(symbol, limit) {
      const msgs = await readLastMessages(nc, {
        stream: STREAMS.candles,
        subject: candleSubject(symbol),
        limit,
        cadenceMs: CANDLE_CADENCE_MS,
        decode: decodeCandle,
        onMalformed: () => onMalformed?.("candles"),
      });
      return msgs.map((m) => candleView(m.value));
    },
    async bars(symbol, limit) {
      const msgs = await readLastMessages(nc, {
        stream: STREAMS.silver,
        subject: silverSubject(symbol),
        limit,
        cadenceMs: BAR_CADENCE_MS,
        decode: decodeSilverBar,
        onMalformed: () => onMalformed?.("silver"),
      });
      return msgs.map((m) => barView(m.value, m.seq));
    },
    async symbols() {
      try {
        const jsm = await jetstreamManager(nc);
        const out = new Set<string>();
        for (const [stream, filter] of [[STREAMS.silver, "silver.>"], [STREAMS.candles, "candles.>"]] as const) {
          const info = await jsm.streams.info(stream, { subjects_filter: filter });
          for (const subject of Object.keys(info.state.subjects ?? {})) {
            const s = symbolOfSubject(subject);
            if (s !== null) out.add(s);
          }
        }
        return [...out].sort();
      } catch (err) {
        throw new MarketDataUnavailable(`listing symbols failed: ${(err as Error).message}`, { cause: err });
      }
    },
  };
}
