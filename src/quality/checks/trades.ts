/** Pure checks over bronze trades. Row keys: `<source>:<tradeId>`, a repeated id `#<n>` (n ≥ 2). */
import type { Trade } from "../../market/trade.js";
import { listedAtOf, type QualityOptions } from "../options.js";
import type { CheckResult, RowRef, Violation } from "../types.js";
import { checkResult, fmtTime } from "./result.js";

export const BRONZE_TABLE = "bronze_trades";

export interface KeyedTrade {
  trade: Trade;
  key: string;
  /** 1 for the first row with this (source, symbol, trade id), 2 for the next, ... */
  occurrence: number;
}

/** Gives each trade its row key; a redelivered id gets `#n` so it can be quarantined alone. */
export function keyTrades(trades: readonly Trade[]): KeyedTrade[] {
  const seen = new Map<string, number>();
  return trades.map((trade) => {
    const base = `${trade.source}:${trade.symbol}:${trade.tradeId}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    const key = `${trade.source}:${trade.tradeId}${occurrence > 1 ? `#${occurrence}` : ""}`;
    return { trade, key, occurrence };
  });
}

function ref(k: KeyedTrade): RowRef {
  const t = k.trade;
  return { table: BRONZE_TABLE, symbol: t.symbol, key: k.key, eventTime: Number.isFinite(t.tradeTime) ? t.tradeTime : null, logSeq: null, row: { ...t } };
}

export function checkTradePrices(trades: readonly KeyedTrade[], o: QualityOptions): CheckResult {
  const out: Violation[] = [];
  for (const k of trades) {
    const { price, quantity } = k.trade;
    if (!Number.isFinite(price)) out.push({ check: "price", rule: "price_not_finite", ref: ref(k), detail: `price is ${price}`, quarantine: true });
    else if (price <= 0) out.push({ check: "price", rule: "price_not_positive", ref: ref(k), detail: `price is ${price}`, quarantine: true });
    else if (!Number.isFinite(quantity) || quantity < 0) out.push({ check: "price", rule: "quantity_invalid", ref: ref(k), detail: `quantity is ${quantity}`, quarantine: true });
  }
  return checkResult("price", BRONZE_TABLE, trades.length, out, { sampleLimit: o.sampleLimit });
}

export function checkTradeTimes(trades: readonly KeyedTrade[], o: QualityOptions, now: number): CheckResult {
  const out: Violation[] = [];
  const limit = now + o.clockSkewMs;
  for (const k of trades) {
    const { tradeTime, eventTime, symbol } = k.trade;
    const listed = listedAtOf(o, symbol);
    for (const [field, t] of [["trade time", tradeTime], ["event time", eventTime]] as const) {
      if (!Number.isFinite(t) || t <= 0) out.push({ check: "timestamps", rule: "broken_timestamp", ref: ref(k), detail: `${field} is ${t}`, quarantine: true });
      else if (t > limit) out.push({ check: "timestamps", rule: "future_timestamp", ref: ref(k), detail: `${field} ${fmtTime(t)} is ${t - now} ms ahead of the clock`, quarantine: true });
      else if (t < listed) out.push({ check: "timestamps", rule: "before_listing", ref: ref(k), detail: `${field} ${fmtTime(t)} is before ${symbol} was listed (${fmtTime(listed)})`, quarantine: true });
      else continue;
      break; // one violation per row and rule family is enough
    }
  }
  return checkResult("timestamps", BRONZE_TABLE, trades.length, out, { sampleLimit: o.sampleLimit });
}

export function checkTradeDuplicates(trades: readonly KeyedTrade[], o: QualityOptions): CheckResult {
  const out: Violation[] = trades
    .filter((k) => k.occurrence > 1)
    .map((k) => ({ check: "duplicates", rule: "duplicate_trade_id", ref: ref(k), detail: `trade id ${k.trade.tradeId} of ${k.trade.source}/${k.trade.symbol} seen ${k.occurrence} times`, quarantine: true }));
  return checkResult("duplicates", BRONZE_TABLE, trades.length, out, { sampleLimit: o.sampleLimit });
}

/**
 * Missing trade ids between consecutive ids per (source, symbol), for sources with consecutive
 * ids. A gap is a WARN: there is no row to quarantine, the trades never reached us.
 */
export function checkTradeGaps(trades: readonly KeyedTrade[], o: QualityOptions): CheckResult {
  const ids = new Map<string, { source: string; symbol: string; ids: number[] }>();
  for (const { trade: t } of trades) {
    if (!o.gapSources.includes(t.source) || !Number.isSafeInteger(t.tradeId)) continue;
    const k = `${t.source}|${t.symbol}`;
    let g = ids.get(k);
    if (!g) ids.set(k, (g = { source: t.source, symbol: t.symbol, ids: [] }));
    g.ids.push(t.tradeId);
  }
  const out: Violation[] = [];
  let missing = 0;
  let checked = 0;
  for (const g of ids.values()) {
    const sorted = [...new Set(g.ids)].sort((a, b) => a - b);
    checked += sorted.length;
    for (let i = 1; i < sorted.length; i++) {
      const gap = sorted[i]! - sorted[i - 1]! - 1;
      if (gap <= 0) continue;
      missing += gap;
      out.push({
        check: "gaps",
        rule: "trade_id_gap",
        ref: { table: BRONZE_TABLE, symbol: g.symbol, key: `${g.source}:${sorted[i - 1]}..${sorted[i]}`, eventTime: null, logSeq: null, row: { source: g.source, symbol: g.symbol, afterTradeId: sorted[i - 1], tradeId: sorted[i], missing: gap } },
        detail: `${gap} trade id(s) missing between ${sorted[i - 1]} and ${sorted[i]}`,
        quarantine: false,
      });
    }
  }
  return checkResult("gaps", BRONZE_TABLE, checked, out, { sampleLimit: o.sampleLimit, onViolation: "WARN", failedRows: missing, note: `failed = missing trade ids (${out.length} gap(s))` });
}

/** Subscribed symbols with no trade in the last `staleAfterMs` (WARN). */
export function checkStaleSymbols(subscribed: readonly string[], trades: readonly KeyedTrade[], o: QualityOptions, now: number): CheckResult {
  const last = new Map<string, number>();
  for (const { trade: t } of trades) if (Number.isFinite(t.tradeTime) && t.tradeTime > (last.get(t.symbol) ?? -Infinity)) last.set(t.symbol, t.tradeTime);
  const out: Violation[] = [];
  for (const symbol of subscribed) {
    const at = last.get(symbol);
    if (at !== undefined && now - at <= o.staleAfterMs) continue;
    out.push({
      check: "staleness",
      rule: "stale_symbol",
      ref: { table: BRONZE_TABLE, symbol, key: `stale:${symbol}`, eventTime: at ?? null, logSeq: null, row: { symbol, lastTradeTime: at ?? null } },
      detail: at === undefined ? `${symbol} is subscribed but has no trade in the audited range` : `${symbol}'s last trade was ${Math.round((now - at) / 1000)} s ago (${fmtTime(at)})`,
      quarantine: false,
    });
  }
  return checkResult("staleness", BRONZE_TABLE, subscribed.length, out, { sampleLimit: o.sampleLimit, onViolation: "WARN" });
}
