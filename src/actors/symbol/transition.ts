/**
 * The SymbolActor's behaviour as a pure transition: (state, message, now) → state + effects.
 * No I/O and no clock reads: `now` is passed in, effects are data the shell carries out.
 * Like the window code it mutates and returns the given state (speed); `snapshotSymbolState`
 * gives an independent copy. Same state + same messages + same `now`s ⇒ same effects.
 */
import { hasConsecutiveIds, tradeProblem, type Trade } from "../../market/trade.js";
import type { Bar } from "../../market/bar.js";
import { addTrade, advanceWatermark, flushWindows } from "../../market/windows.js";
import { addTradeToCandles, advanceCandleWatermark, currentCandle, flushCandles, type Candle } from "../../market/candles.js";
import { FEATURE_WARMUP_BARS, featuresFromBars } from "../../market/features.js";
import type { EventTimeMark, SymbolEffect, SymbolMessage } from "./messages.js";
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
      // A mark is not recognised by trade id like a redelivered trade: by its log sequence, then.
      if (msg.mark && msg.seq > state.lastSeq) applyMark(state, msg.mark, now, effects);
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
  publishClosed(state, w.closedBars, now, effects);

  const k = addTradeToCandles(state.candles, trade);
  if (k.late) c.lateForCandles++;
  publishCandles(state, k.closedCandles, effects);
}

/**
 * A watermark mark closes what a trade at that time would have closed (it trails by the allowed
 * lateness like a trade's); an end mark closes every window and candle holding a trade.
 */
function applyMark(state: SymbolState, mark: EventTimeMark, now: number, effects: SymbolEffect[]): void {
  if ("end" in mark) {
    publishClosed(state, flushWindows(state.windows, mark.at), now, effects);
    publishCandles(state, flushCandles(state.candles, mark.at), effects);
    return;
  }
  publishClosed(state, advanceWatermark(state.windows, mark.watermark - state.windows.options.allowedLatenessMs, mark.at), now, effects);
  publishCandles(state, advanceCandleWatermark(state.candles, mark.watermark - state.candles.options.allowedLatenessMs, mark.at), effects);
}

function publishClosed(state: SymbolState, bars: readonly Bar[], now: number, effects: SymbolEffect[]): void {
  for (const bar of bars) effects.push({ type: "publish-bar", bar: closeBar(state, bar, now, effects) });
}

function publishCandles(state: SymbolState, candles: readonly Candle[], effects: SymbolEffect[]): void {
  for (const candle of candles) {
    state.counters.candles++;
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
