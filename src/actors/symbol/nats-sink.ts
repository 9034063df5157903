/**
 * Where a SymbolActor's effects go in production: closed bars and 1m candles to JetStream (SILVER,
 * CANDLES; the message id makes a replayed bar after a takeover a no-op within the duplicate
 * window), live ticks as core NATS messages, refused trades to the DLQ, and the rest as events.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamClient } from "@nats-io/jetstream";
import type { Candle } from "../../market/candles.js";
import { LatencyWindow } from "../../runtime/latency.js";
import { candleSubject, dlqSubject, eventSubject, silverSubject, tickSubject } from "../../runtime/nats/spec.js";
import type { SymbolSink } from "./actor.js";
import type { LiveTick, SymbolEffect } from "./messages.js";
import type { SilverBar } from "../../contracts/silver-bar.js";


export interface MarketCounters {
  bars: number;
  candles: number;
  ticks: number;
  lateTrades: number;
  invalidTrades: number;
  gaps: number;
  missingTrades: number;
  predictionFailures: number;
  /** Trade ingest → bar emitted (ms), over recent bars. */
  latency: LatencyWindow;
}

export function newMarketCounters(): MarketCounters {
  return { bars: 0, candles: 0, ticks: 0, lateTrades: 0, invalidTrades: 0, gaps: 0, missingTrades: 0, predictionFailures: 0, latency: new LatencyWindow(4096) };
}

/** Where the sink reports measurements beyond its counters (the node's Prometheus metrics). */
export interface SymbolSinkObserver {
  observeTradeToBar(ms: number): void;
  tradesAcceptedBy(symbol: string, count: number): void;
}

export function natsSymbolSink(nc: NatsConnection, js: JetStreamClient, counters: MarketCounters, observer?: SymbolSinkObserver): SymbolSink {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  return {
    async publishBar(bar: SilverBar) {
      await js.publish(silverSubject(bar.symbol), json(bar), { msgID: `${bar.symbol}:${bar.windowEnd}` });
      counters.bars++;
      counters.latency.add(bar.emittedAt - bar.closedByIngestTime);
      observer?.observeTradeToBar(bar.emittedAt - bar.closedByIngestTime);
    },
    async publishCandle(candle: Candle) {
      await js.publish(candleSubject(candle.symbol), json(candle), { msgID: `${candle.symbol}:${candle.openTime}` });
      counters.candles++;
    },
    publishTick(tick: LiveTick) {
      nc.publish(tickSubject(tick.symbol), json(tick));
      counters.ticks++;
      observer?.tradesAcceptedBy(tick.symbol, tick.tradesSinceLastTick);
    },
    report(event) {
      reportEvent(nc, counters, event);
    },
  };
}

type Reported = Parameters<NonNullable<SymbolSink["report"]>>[0];

function reportEvent(nc: NatsConnection, counters: MarketCounters, event: Reported): void {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  switch (event.type) {
    case "late-trade":
      counters.lateTrades++;
      nc.publish(eventSubject("market", "late", event.trade.symbol), json(event));
      return;
    case "invalid-trade":
      counters.invalidTrades++;
      nc.publish(dlqSubject("invalid-trade"), json({ reason: event.reason, trade: event.trade }));
      return;
    case "trade-gap":
      counters.gaps++;
      counters.missingTrades += event.missing;
      nc.publish(eventSubject("market", "gap", event.symbol), json(event));
      return;
    case "prediction-failed":
      counters.predictionFailures++;
      nc.publish(eventSubject("market", "prediction-failed", event.symbol), json(event));
      return;
    case "model-swapped":
      nc.publish(eventSubject("market", "model-swapped", event.symbol), json(event));
      return;
    default: {
      const never: never = event;
      throw new Error(`unhandled symbol event ${JSON.stringify(never satisfies Extract<SymbolEffect, never>)}`);
    }
  }
}
