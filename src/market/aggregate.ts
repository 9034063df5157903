/**
 * Running statistics over a set of trades, shared by window panes and candles. A plain object of
 * numbers so states snapshot as JSON. Order statistics (open/close) follow trade time, ties broken
 * by trade id, so out-of-order arrival gives the same result as sorted arrival.
 */
import type { Trade } from "./trade.js";
import { addQuantity, emptyQuantitySum, mergeQuantitySums, type QuantitySum } from "./decimal.js";

export interface TradeAggregate {
  count: number;
  /** Mean of prices and sum of squared deviations (Welford / Chan): stable for std-dev at ~6e4 prices. */
  mean: number;
  m2: number;
  /** Σ price × quantity (quote volume, VWAP numerator): a float sum. */
  quote: number;
  /** Σ quantity, decimal-exact when every quantity has ≤ 8 decimals (see decimal.ts). */
  volume: QuantitySum;
  high: number;
  low: number;
  open: number;
  openTime: number;
  openId: number;
  close: number;
  closeTime: number;
  closeId: number;
  minId: number;
  maxId: number;
  /** Trade time span, for display and quality checks. */
  minTime: number;
  maxTime: number;
}

export function aggregateOf(t: Trade): TradeAggregate {
  const volume = emptyQuantitySum();
  addQuantity(volume, t.quantity);
  return {
    count: 1,
    mean: t.price,
    m2: 0,
    quote: t.price * t.quantity,
    volume,
    high: t.price,
    low: t.price,
    open: t.price,
    openTime: t.tradeTime,
    openId: t.tradeId,
    close: t.price,
    closeTime: t.tradeTime,
    closeId: t.tradeId,
    minId: t.tradeId,
    maxId: t.tradeId,
    minTime: t.tradeTime,
    maxTime: t.tradeTime,
  };
}

/** (timeA, idA) strictly before (timeB, idB). */
function before(timeA: number, idA: number, timeB: number, idB: number): boolean {
  return timeA < timeB || (timeA === timeB && idA < idB);
}

export function addToAggregate(a: TradeAggregate, t: Trade): void {
  const p = t.price;
  a.count++;
  const delta = p - a.mean;
  a.mean += delta / a.count;
  a.m2 += delta * (p - a.mean);
  a.quote += p * t.quantity;
  addQuantity(a.volume, t.quantity);
  if (p > a.high) a.high = p;
  if (p < a.low) a.low = p;
  const time = t.tradeTime;
  const id = t.tradeId;
  if (before(time, id, a.openTime, a.openId)) {
    a.open = p;
    a.openTime = time;
    a.openId = id;
  }
  if (before(a.closeTime, a.closeId, time, id)) {
    a.close = p;
    a.closeTime = time;
    a.closeId = id;
  }
  if (id < a.minId) a.minId = id;
  if (id > a.maxId) a.maxId = id;
  if (time < a.minTime) a.minTime = time;
  if (time > a.maxTime) a.maxTime = time;
}

/** A fresh aggregate equal to `a` ∪ `b` (Chan et al.'s pairwise update for mean and M2). */
export function mergeAggregates(a: TradeAggregate, b: TradeAggregate): TradeAggregate {
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  const volume = { ...a.volume };
  mergeQuantitySums(volume, b.volume);
  const aOpens = !before(b.openTime, b.openId, a.openTime, a.openId);
  const aCloses = !before(a.closeTime, a.closeId, b.closeTime, b.closeId);
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
    quote: a.quote + b.quote,
    volume,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    open: aOpens ? a.open : b.open,
    openTime: aOpens ? a.openTime : b.openTime,
    openId: aOpens ? a.openId : b.openId,
    close: aCloses ? a.close : b.close,
    closeTime: aCloses ? a.closeTime : b.closeTime,
    closeId: aCloses ? a.closeId : b.closeId,
    minId: Math.min(a.minId, b.minId),
    maxId: Math.max(a.maxId, b.maxId),
    minTime: Math.min(a.minTime, b.minTime),
    maxTime: Math.max(a.maxTime, b.maxTime),
  };
}

/** Deep copy (the nested volume object must not be shared between states). */
export function cloneAggregate(a: TradeAggregate): TradeAggregate {
  return { ...a, volume: { ...a.volume } };
}
