import type { Clock } from "../runtime/clock.js";
import type { Trade } from "../market/trade.js";
import type { BackoffPolicy } from "../runtime/backoff.js";
import type { FrameParser } from "./frame.js";
import type { ConnectionHealth } from "./connection-health.js";
import type { IngestLogger } from "./log.js";

/** Where the client delivers: the publisher implements it. */
export interface TradeSink {
  trade(trade: Trade): void;
  invalid(raw: string, reason: string, message: string): void;
}

export interface ClientOptions {
  /** e.g. wss://stream.binance.com:9443, or the simulator's ws://127.0.0.1:<port>. */
  baseUrl: string;
  symbols: readonly string[];
  sink: TradeSink;
  /** Overrides `trade.source` (default: what the parser sets, "binance"). */
  source?: string;
  parse?: FrameParser;
  clock?: Clock;
  random?: () => number;
  log?: IngestLogger;
  maxStreamsPerConnection?: number;
  /** Streams named in the connect URL; the rest are SUBSCRIBEd after open. Default 200. */
  maxStreamsInUrl?: number;
  /** Our own control messages per second per connection. Default 4 (Binance allows 5 and counts pongs). */
  controlMessagesPerSecond?: number;
  /** Safety margin added to the limiter's 1 s window (jitter between our clock and the server's). Default 250 ms. */
  controlWindowMarginMs?: number;
  maxParamsPerMessage?: number;
  /** No frame and no ping for this long → the socket is dead. Default 50 s (Binance pings every 20 s). */
  silenceTimeoutMs?: number;
  /** Binance disconnects at 24 h. Default 24 h. */
  connectionLifetimeMs?: number;
  /** Renew this long before the lifetime ends. Default 10 min. */
  renewBeforeMs?: number;
  /** After the replacement delivers, keep both this long before closing the old one. Default 1000 ms. */
  overlapMs?: number;
  /** Switch even if the replacement delivered nothing by then (quiet market). Default 10 s. */
  switchTimeoutMs?: number;
  backoff?: BackoffPolicy;
  /** Connection attempts allowed per 5 minutes (Binance: 300 per IP). Default 300. */
  connectionsPer5Min?: number;
  handshakeTimeoutMs?: number;
}

export interface ClientStatus {
  state: "idle" | "running" | "stopped";
  paused: boolean;
  frames: number;
  trades: number;
  invalid: number;
  ignored: number;
  reconnects: number;
  switches: number;
  silentSockets: number;
  serverShutdowns: number;
  /** "failing" with the cause and the failed attempts since the feed last connected. */
  health: ConnectionHealth;
  connections: Array<{ slot: number; id: number; role: "active" | "replacement"; state: string; streams: number; framesReceived: number; pingsReceived: number; openedAt: number | null }>;
}
