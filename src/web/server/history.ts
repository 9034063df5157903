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
import { STREAMS } from "../../runtime/nats/spec.js";
import { symbolOfSubject } from "./decode.js";
import { HistoryReadFailed, MarketDataUnavailable } from "./errors.js";
import { readLastMessages } from "./feeds/log-history.js";
import { BAR_SERIES, CANDLE_SERIES, type LogSeries } from "./feeds/series.js";
import { barViewOfRow, candleView, type BarView, type CandleView } from "./views.js";

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

export function logHistory(nc: NatsConnection, onMalformed?: (kind: string) => void): MarketHistory {
  async function tail<T, V>(series: LogSeries<T, V>, symbol: string, limit: number): Promise<V[]> {
    const msgs = await readLastMessages(nc, {
      stream: series.stream,
      subject: series.subject(symbol),
      limit,
      cadenceMs: series.cadenceMs,
      decode: series.decode,
      onMalformed: () => onMalformed?.(series.kind),
    });
    return msgs.map((m) => series.view(m));
  }
  return {
    source: "log",
    candles: (symbol, limit) => tail(CANDLE_SERIES, symbol, limit),
    bars: (symbol, limit) => tail(BAR_SERIES, symbol, limit),
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
