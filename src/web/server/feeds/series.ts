/**
 * The two market series the web reads from the log, each described once: its stream and
 * subject, its cadence (to find the last N), its decoder, the view a client gets of a message,
 * and the kind its malformed messages are counted under. Chart history (history.ts) reads their
 * tails; the resumable subscriptions (routers/market.ts) follow them.
 */
import type { SilverBar } from "../../../contracts/silver-bar.js";
import type { Candle } from "../../../market/candles.js";
import { STREAMS, candleSubject, silverSubject } from "../../../runtime/nats/spec.js";
import { decodeCandle, decodeSilverBar } from "../decode.js";
import { barView, candleView, type BarView, type CandleView } from "../views.js";
import type { LogMessage } from "./log-history.js";

export interface LogSeries<T, V> {
  stream: string;
  subject(symbol: string): string;
  /** Typical spacing of a symbol's messages (ms). */
  cadenceMs: number;
  decode(subject: string, data: Uint8Array): T;
  view(message: LogMessage<T>): V;
  /** The `subject_kind` of its malformed messages. */
  kind: "candles" | "silver";
}

export const CANDLE_SERIES: LogSeries<Candle, CandleView> = {
  stream: STREAMS.candles,
  subject: candleSubject,
  cadenceMs: 60_000,
  decode: decodeCandle,
  view: (m) => candleView(m.value),
  kind: "candles",
};

export const BAR_SERIES: LogSeries<SilverBar, BarView> = {
  stream: STREAMS.silver,
  subject: silverSubject,
  cadenceMs: 10_000,
  decode: decodeSilverBar,
  view: (m) => barView(m.value, m.seq),
  kind: "silver",
};
