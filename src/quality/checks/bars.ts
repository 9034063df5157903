/** Pure checks over silver bars. Row key: the window end (ms) as a string; symbol is separate. */
import type { SilverTableRow } from "../../lake/tables/silver-bars.js";
import { listedAtOf, type QualityOptions } from "../options.js";
import type { CheckResult, RowRef, Violation } from "../types.js";
import { checkResult, fmtTime, isPositiveFinite } from "./result.js";

export const SILVER_TABLE = "silver_bars";

export const BAR_PRICE_FIELDS = ["open", "high", "low", "close", "avgPrice", "vwap"] as const;
/** The 7 features; volatility is always present (it is the bar's own std-dev). */
export const BAR_FEATURE_FIELDS = ["volatility", "lag1", "lag3", "ma5", "ma10", "momentum", "volatilityChange"] as const;

export function barKey(b: Pick<SilverTableRow, "windowEnd">): string {
  return String(b.windowEnd);
}

function ref(b: SilverTableRow, key = barKey(b)): RowRef {
  return { table: SILVER_TABLE, symbol: b.symbol, key, eventTime: Number.isFinite(b.windowEnd) ? b.windowEnd : null, logSeq: Number.isFinite(b.logSeq) ? b.logSeq : null, row: { ...b } };
}

/** Bars grouped by symbol, each group by window end (the order features are computed in). */
export function bySymbol(bars: readonly SilverTableRow[]): Map<string, SilverTableRow[]> {
  const m = new Map<string, SilverTableRow[]>();
  for (const b of bars) {
    let g = m.get(b.symbol);
    if (!g) m.set(b.symbol, (g = []));
    g.push(b);
  }
  for (const g of m.values()) g.sort((a, b) => a.windowEnd - b.windowEnd || a.logSeq - b.logSeq);
  return m;
}

export function checkBarPrices(bars: readonly SilverTableRow[], o: QualityOptions): CheckResult {
  const out: Violation[] = [];
  for (const b of bars) {
    const bad = BAR_PRICE_FIELDS.find((f) => !isPositiveFinite(b[f]));
    if (bad) {
      const v = b[bad];
      const rule = typeof v === "number" && Number.isFinite(v) ? "price_not_positive" : "price_not_finite";
      out.push({ check: "price", rule, ref: ref(b), detail: `${bad} is ${v}`, quarantine: true });
    } else if (b.low > b.high || b.close > b.high || b.close < b.low || b.open > b.high || b.open < b.low) {
      out.push({ check: "price", rule: "ohlc_inconsistent", ref: ref(b), detail: `open ${b.open} high ${b.high} low ${b.low} close ${b.close}`, quarantine: true });
    }
  }
  return checkResult("price", SILVER_TABLE, bars.length, out, { sampleLimit: o.sampleLimit });
}

/**
 * Features must be finite; they may be null only during a symbol's warm-up: its first
 * `warmupBars - 1` bars, and only before any bar of it had features. A partial vector (some null,
 * some not) is always a defect.
 */
export function checkBarFeatures(bars: readonly SilverTableRow[], o: QualityOptions): CheckResult {
  const out: Violation[] = [];
  for (const group of bySymbol(bars).values()) {
    let warm = false;
    group.forEach((b, i) => {
      const nulls = BAR_FEATURE_FIELDS.filter((f) => f !== "volatility" && b[f] === null);
      const nonFinite = BAR_FEATURE_FIELDS.filter((f) => b[f] !== null && !Number.isFinite(b[f]));
      if (b.volatility === null || nonFinite.length > 0) {
        const fields = b.volatility === null ? ["volatility", ...nonFinite] : nonFinite;
        out.push({ check: "features", rule: "feature_not_finite", ref: ref(b), detail: `${fields.join(", ")} ${fields.length > 1 ? "are" : "is"} not finite`, quarantine: true });
      } else if (nulls.length > 0 && (warm || i >= o.warmupBars - 1 || nulls.length < BAR_FEATURE_FIELDS.length - 1)) {
        out.push({ check: "features", rule: "missing_feature", ref: ref(b), detail: `${nulls.join(", ")} missing after warm-up (bar ${i + 1} of ${b.symbol})`, quarantine: true });
      }
      if (nulls.length === 0) warm = true;
    });
  }
  return checkResult("features", SILVER_TABLE, bars.length, out, { sampleLimit: o.sampleLimit });
}

export function checkBarTimes(bars: readonly SilverTableRow[], o: QualityOptions, now: number): CheckResult {
  const out: Violation[] = [];
  for (const b of bars) {
    const listed = listedAtOf(o, b.symbol);
    if (!Number.isFinite(b.windowStart) || !Number.isFinite(b.windowEnd) || b.windowEnd <= b.windowStart) {
      out.push({ check: "timestamps", rule: "broken_timestamp", ref: ref(b), detail: `window ${b.windowStart}..${b.windowEnd}`, quarantine: true });
    } else if (b.windowEnd > now + o.clockSkewMs) {
      out.push({ check: "timestamps", rule: "future_timestamp", ref: ref(b), detail: `window end ${fmtTime(b.windowEnd)} is ${b.windowEnd - now} ms ahead of the clock`, quarantine: true });
    } else if (b.windowStart < listed) {
      out.push({ check: "timestamps", rule: "before_listing", ref: ref(b), detail: `window start ${fmtTime(b.windowStart)} is before ${b.symbol} was listed (${fmtTime(listed)})`, quarantine: true });
    }
  }
  return checkResult("timestamps", SILVER_TABLE, bars.length, out, { sampleLimit: o.sampleLimit });
}

/** Two rows for one (symbol, window end): the lake writer is exactly-once, so this is a defect. Later copies (by log seq) are flagged. */
export function checkBarDuplicates(bars: readonly SilverTableRow[], o: QualityOptions): CheckResult {
  const out: Violation[] = [];
  for (const group of bySymbol(bars).values()) {
    let n = 1;
    for (let i = 1; i < group.length; i++) {
      if (group[i]!.windowEnd !== group[i - 1]!.windowEnd) {
        n = 1;
        continue;
      }
      n++;
      const b = group[i]!;
      out.push({ check: "duplicates", rule: "duplicate_bar", ref: ref(b, `${barKey(b)}#${n}`), detail: `window ending ${fmtTime(b.windowEnd)} stored ${n} times (log seq ${b.logSeq})`, quarantine: true });
    }
  }
  return checkResult("duplicates", SILVER_TABLE, bars.length, out, { sampleLimit: o.sampleLimit });
}
