/**
 * The SymbolActor's behaviour as a pure transition: (state, message, now) → state + effects.
 * No I/O and no clock reads: `now` is passed in, effects are data the shell carries out.
 * Like the window code it mutates and returns the given state (speed); `snapshotSymbolState`
 * gives an independent copy. Same state + same messages + same `now`s ⇒ same effects.
 */
import { hasConsecutiveIds, tradeProblem, type Trade } from "../../market/trade.js";
import type { Bar } from "../../market/bar.js";
import { addTrade } from "../../market/windows.js";
import { addTradeToCandles, currentCandle } from "../../market/candles.js";
import { FEATURE_WARMUP_BARS, featuresFromBars } from "../../market/features.js";
import type { SymbolEffect, SymbolMessage } from "./messages.js";
import type { SilverBar } from "../../contracts/silver-bar.js";
import { snapshotSymbolState, statusOf, type SymbolState } from "./state.js";
import { naivePredictor } from "../../ml/predictor.js";
import { assertNever } from "../../runtime/assert-never.js";

export interface TransitionResult {
  state: SymbolState;
  effects: SymbolEffect[];
}

export function transition(state: SymbolState, msg: SymbolMessage, now: number): TransitionResult {
  const effects: SymbolEffect[] = [];
  switch (msg.type) {
    case "trades":
      for (const trade of msg.trades) acceptTrade(state, trade, now, effects);
      if (msg.seq > state.lastSeq) state.lastSeq = msg.seq;
      break;
    case "model-changed": {
      const from = state.predictor.version;
      state.predictor = msg.predictor;
      effects.push({ type: "model-swapped", symbol: state.symbol, from, to: msg.predictor.version });
      break;
    }
    case "tick":
      if (state.tradesSinceLastTick > 0 && state.lastTrade !== null) {
        state.counters.ticks++;
        effects.push({
          type: "publish-tick",
          tick: { symbol: state.symbol, ...state.lastTrade, tradesSinceLastTick: state.tradesSinceLastTick, candle: currentCandle(state.candles, now), emittedAt: now },
        });
        state.tradesSinceLastTick = 0;
      }
      break;
    case "status":
      effects.push({ type: "reply-status", status: statusOf(state) });
      break;
    case "snapshot":
      effects.push({ type: "reply-snapshot", snapshot: snapshotSymbolState(state) });
      break;
    default:
      assertNever(msg, "message");
  }
  return { state, effects };
}

function acceptTrade(state: SymbolState, trade: Trade, now: number, effects: SymbolEffect[]): void {
  const c = state.counters;
  if (trade.symbol !== state.symbol) {
    c.misrouted++;
    return;
  }
  const problem = tradeProblem(trade);
  if (problem !== null) {
    // Would corrupt windows (NaN pane, negative prices in bars): refuse, report, keep going.
    c.invalid++;
    effects.push({ type: "invalid-trade", trade, reason: problem });
    return;
  }
  // Per symbol, ids grow in log order (Binance: one connection, consecutive ids), so an id at or
  // below the last one is a redelivery from the log, e.g. after a restore.
  const last = state.lastTradeId;
  if (last !== null && trade.tradeId <= last) {
    c.duplicates++;
    return;
  }
  if (last !== null && trade.tradeId > last + 1 && hasConsecutiveIds(trade.source)) {
    c.gaps++;
    c.missingTrades += trade.tradeId - last - 1;
    effects.push({ type: "trade-gap", symbol: state.symbol, afterTradeId: last, tradeId: trade.tradeId, missing: trade.tradeId - last - 1 });
  }
  state.lastTradeId = trade.tradeId;
  c.trades++;
  state.lastTrade = { price: trade.price, quantity: trade.quantity, tradeId: trade.tradeId, tradeTime: trade.tradeTime, ingestTime: trade.ingestTime };
  state.tradesSinceLastTick++;

  const w = addTrade(state.windows, trade);
  if (w.late) {
    c.lateForWindows++;
    effects.push({ type: "late-trade", trade });
  }
  for (const bar of w.closedBars) effects.push({ type: "publish-bar", bar: closeBar(state, bar, now, effects) });

  const k = addTradeToCandles(state.candles, trade);
  if (k.late) c.lateForCandles++;
  for (const candle of k.closedCandles) {
    c.candles++;
    effects.push({ type: "publish-candle", candle });
  }
}

/** Appends the bar to the bounded history, computes its features and the prediction. */
function closeBar(state: SymbolState, bar: Bar, now: number, effects: SymbolEffect[]): SilverBar {
  const history = state.history;
  history.push(bar);
  if (history.length > FEATURE_WARMUP_BARS) history.shift();
  state.counters.bars++;
  const features = featuresFromBars(history);
  const model = state.predictor;
  if (features !== null && model !== naivePredictor) {
    try {
      const p = model.predict(features, bar);
      if (!Number.isFinite(p)) throw new Error(`non-finite prediction ${p}`);
      return { ...bar, features, prediction: p, modelVersion: model.version, emittedAt: now };
    } catch (error) {
      // A broken model must not stop the market pipeline: this bar falls back to the naive forecast.
      state.counters.predictionFailures++;
      effects.push({ type: "prediction-failed", symbol: state.symbol, modelVersion: model.version, windowEnd: bar.windowEnd, error: error instanceof Error ? error.message : String(error) });
    }
  }
  // During warm-up (no features yet), without a champion, or when the champion failed, the naive
  // forecast (next = last) predicts, and the bar records that it did.
  return { ...bar, features, prediction: bar.close, modelVersion: naivePredictor.version, emittedAt: now };
}
