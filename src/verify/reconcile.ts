/**
 * Reconciliation, pure: accumulators the I/O shell feeds one record at a time (log trades, bronze
 * ids, silver windows), and the verdicts that compare them. Ids and window indexes live in
 * RangeSets, so memory follows the number of holes, not the number of trades.
 */
import { tradeProblem } from "../market/trade.js";
import type { Trade } from "../market/trade.js";
import { addTrade, advanceWatermark, createWindows, flushWindows, type WindowOptions, type WindowState } from "../market/windows.js";
import type { Bar } from "../market/bar.js";
import { clip, difference, holes, RangeSet, type RangeSummary } from "./range-set.js";
import type { BarVerdict, TradeVerdict, VerifyStatus, VerifyTotals } from "./types.js";

/** One (source, symbol)'s trade ids as the log holds them. */
export class LogTrades {
  readonly ids = new RangeSet();
  repeats = 0;

  add(tradeId: number): void {
    if (!this.ids.add(tradeId)) this.repeats++;
  }
}

/** One (source, symbol)'s trade ids as bronze holds them. */
export class BronzeTrades {
  readonly ids = new RangeSet();
  readonly duplicates = new RangeSet();
  rows = 0;

  add(tradeId: number): void {
    this.rows++;
    if (!this.ids.add(tradeId)) this.duplicates.add(tradeId);
  }
}

/** Windows present in the silver table for one symbol, by index (window start / slide). */
export class SilverWindows {
  readonly present = new RangeSet();
  readonly doubled = new RangeSet();

  add(windowIndex: number): void {
    if (!this.present.add(windowIndex)) this.doubled.add(windowIndex);
  }
}

/**
 * A symbol's trades replayed in log order through the platform's own windows (src/market/windows),
 * with the SymbolActor's rules: a trade it refuses (`tradeProblem`) goes into no window, and an id
 * at or below the last one is a redelivery. `windows` holds
 * the index of every window that closed, from the first window whose whole span the replay saw:
 * windows that started before the first trade read also held trades the replay never saw.
 */
export class ExpectedBars {
  readonly windows = new RangeSet();
  readonly slideMs: number;
  #state: WindowState;
  #lastId: number | null = null;
  #firstIndex: number | null = null;

  constructor(symbol: string, options: Partial<WindowOptions> = {}) {
    this.#state = createWindows(symbol, options);
    this.slideMs = this.#state.options.slideMs;
  }

  /** Index of the first window compared; null before any trade. */
  get firstIndex(): number | null {
    return this.#firstIndex;
  }

  add(trade: Trade): void {
    if (tradeProblem(trade) !== null) return;
    if (this.#lastId !== null && trade.tradeId <= this.#lastId) return;
    this.#lastId = trade.tradeId;
    this.#firstIndex ??= Math.ceil(trade.tradeTime / this.slideMs);
    this.#closed(addTrade(this.#state, trade).closedBars);
  }

  /** A mark from the log closes what it closes in the SymbolActor: an idle watermark, or the end of the stream. */
  mark(mark: { watermark: number } | { end: true }): void {
    const s = this.#state;
    this.#closed("end" in mark ? flushWindows(s, 0) : advanceWatermark(s, mark.watermark - s.options.allowedLatenessMs, 0));
  }

  #closed(bars: readonly Bar[]): void {
    const first = this.#firstIndex;
    if (first === null) return;
    for (const bar of bars) {
      const index = bar.windowStart / this.slideMs;
      if (index >= first) this.windows.add(index);
    }
  }
}

const NONE = new RangeSet();

export interface TradeInput {
  source: string;
  symbol: string;
  consecutiveIds: boolean;
  log: LogTrades;
  bronze: BronzeTrades;
  /** Ids ingest reported as an exchange gap (never received). */
  reportedGaps?: RangeSet;
  /** Ranges kept per finding in the report. */
  limit: number;
}

/** The log's ids against bronze's, from the log's first id on (bronze keeps what the log has aged out). */
export function tradeVerdict(i: TradeInput): TradeVerdict {
  const logIds = i.log.ids;
  const first = logIds.min ?? null;
  const last = logIds.max ?? null;
  const bronze = first === null ? NONE : clip(i.bronze.ids, first, Infinity);
  const duplicates = first === null ? NONE : clip(i.bronze.duplicates, first, Infinity);
  const allHoles = i.consecutiveIds ? holes(logIds) : NONE;
  const unexplained = difference(allHoles, i.reportedGaps ?? NONE);
  return {
    source: i.source,
    symbol: i.symbol,
    consecutiveIds: i.consecutiveIds,
    logTrades: logIds.size + i.log.repeats,
    logRepeats: i.log.repeats,
    bronzeTrades: bronze.size + duplicates.size,
    firstId: first,
    lastId: last,
    holes: unexplained.summary(i.limit),
    reportedGapIds: allHoles.size - unexplained.size,
    missingFromBronze: difference(logIds, bronze).summary(i.limit),
    extraInBronze: difference(bronze, logIds).summary(i.limit),
    duplicateIds: duplicates.summary(i.limit),
  };
}

export interface BarInput {
  symbol: string;
  expected: Pick<ExpectedBars, "windows" | "firstIndex" | "slideMs">;
  silver: SilverWindows;
  /** Index of the last window the silver log holds up to the silver writer's commit (null: none). */
  horizonIndex: number | null;
  limit: number;
}

function starts(s: RangeSummary, slideMs: number): RangeSummary {
  return { ...s, ranges: s.ranges.map(([a, b]) => [a * slideMs, b * slideMs]) };
}

/** Windows that should have closed against the bars present, up to what the silver writer committed. */
export function barVerdict(i: BarInput): BarVerdict {
  const { windows, firstIndex, slideMs } = i.expected;
  const from = firstIndex ?? Infinity;
  const to = i.horizonIndex ?? -Infinity;
  const compared = clip(windows, from, to);
  const present = clip(i.silver.present, from, Infinity);
  const lastExpected = windows.max ?? -Infinity;
  return {
    symbol: i.symbol,
    expected: windows.size,
    present: present.size,
    horizon: i.horizonIndex === null ? null : i.horizonIndex * slideMs,
    pending: windows.size - compared.size,
    missing: starts(difference(compared, present).summary(i.limit), slideMs),
    doubled: starts(clip(i.silver.doubled, from, Infinity).summary(i.limit), slideMs),
    unexpected: starts(difference(clip(present, from, lastExpected), windows).summary(i.limit), slideMs),
  };
}

export function hasTradeFinding(v: TradeVerdict): boolean {
  return v.holes.count + v.missingFromBronze.count + v.extraInBronze.count + v.duplicateIds.count > 0;
}

export function hasBarFinding(v: BarVerdict): boolean {
  return v.missing.count + v.doubled.count + v.unexpected.count > 0;
}

export function totalsOf(trades: readonly TradeVerdict[], bars: readonly BarVerdict[], serving: readonly BarVerdict[] = []): VerifyTotals {
  const t: VerifyTotals = {
    symbols: new Set([...trades.map((v) => v.symbol), ...bars.map((v) => v.symbol)]).size,
    logTrades: 0, bronzeTrades: 0, holes: 0, reportedGapIds: 0, missingFromBronze: 0, extraInBronze: 0, duplicateIds: 0,
    barsExpected: 0, barsPresent: 0, barsPending: 0, missingBars: 0, doubledBars: 0, unexpectedBars: 0,
    servingExpected: 0, servingPresent: 0, servingMissing: 0, servingUnexpected: 0,
  };
  for (const v of trades) {
    t.logTrades += v.logTrades;
    t.bronzeTrades += v.bronzeTrades;
    t.holes += v.holes.count;
    t.reportedGapIds += v.reportedGapIds;
    t.missingFromBronze += v.missingFromBronze.count;
    t.extraInBronze += v.extraInBronze.count;
    t.duplicateIds += v.duplicateIds.count;
  }
  for (const v of bars) {
    t.barsExpected += v.expected;
    t.barsPresent += v.present;
    t.barsPending += v.pending;
    t.missingBars += v.missing.count;
    t.doubledBars += v.doubled.count;
    t.unexpectedBars += v.unexpected.count;
  }
  for (const v of serving) {
    t.servingExpected += v.expected - v.pending;
    t.servingPresent += v.present;
    t.servingMissing += v.missing.count;
    t.servingUnexpected += v.unexpected.count;
  }
  return t;
}

/** Any hole, loss, extra or duplicate fails; exchange gaps and uncommitted data do not. */
export function statusOf(t: VerifyTotals): VerifyStatus {
  const bad = t.holes + t.missingFromBronze + t.extraInBronze + t.duplicateIds + t.missingBars + t.doubledBars + t.unexpectedBars + t.servingMissing + t.servingUnexpected;
  return bad > 0 ? "FAILED" : "PASSED";
}
