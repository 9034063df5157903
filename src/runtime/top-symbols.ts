/**
 * Symbol-labelled counters with a bounded number of series: the N symbols with the largest totals
 * keep their own `symbol` label, the rest are summed under `symbol="other"`. With 1,000+ symbols
 * a series per symbol (times every histogram bucket or replica) overwhelms Prometheus. The
 * ranking is taken at scrape time, so a symbol that becomes busy moves out of "other" (whose
 * value then drops: a rate over "other" sees a counter reset, the sum over all series never does).
 */
import { Counter, type Registry } from "prom-client";

export const OTHER_SYMBOL = "other";
export const DEFAULT_TOP_SYMBOLS = 20;

export class TopSymbolTotals {
  readonly #totals = new Map<string, number>();
  /** Totals of symbols folded away (forgotten, or pushed out by `maxTracked`): part of "other". */
  #retired = 0;

  /**
   * @param limit symbols with their own series (0: everything is "other").
   * @param maxTracked symbols whose totals are kept apart; past it the smallest total is folded into "other".
   */
  constructor(
    readonly limit: number = DEFAULT_TOP_SYMBOLS,
    readonly maxTracked: number = Math.max(10_000, limit),
  ) {
    if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`top symbols limit must be an integer ≥ 0, got ${limit}`);
    if (!Number.isInteger(maxTracked) || maxTracked < limit) throw new RangeError(`maxTracked must be an integer ≥ the limit (${limit}), got ${maxTracked}`);
  }

  add(symbol: string, n = 1): void {
    const prev = this.#totals.get(symbol);
    if (prev === undefined && this.#totals.size >= this.maxTracked) this.#foldSmallest();
    this.#totals.set(symbol, (prev ?? 0) + n);
  }

  /** A symbol that left: its total stays in the sum, under "other". */
  forget(symbol: string): void {
    const total = this.#totals.get(symbol);
    if (total === undefined) return;
    this.#retired += total;
    this.#totals.delete(symbol);
  }

  get tracked(): number {
    return this.#totals.size;
  }

  /** At most `limit` + 1 series: the largest totals, then "other" (only when it has a count). */
  series(): [symbol: string, total: number][] {
    const ranked = [...this.#totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const top = ranked.slice(0, this.limit);
    const other = ranked.slice(this.limit).reduce((sum, [, n]) => sum + n, this.#retired);
    return other > 0 || ranked.length > this.limit ? [...top, [OTHER_SYMBOL, other]] : top;
  }

  #foldSmallest(): void {
    let smallest: [string, number] | undefined;
    for (const e of this.#totals) if (smallest === undefined || e[1] < smallest[1]) smallest = e;
    if (smallest) this.forget(smallest[0]);
  }
}

/** A prom-client counter labelled `symbol` whose series are `TopSymbolTotals.series()` at each scrape. */
export function topSymbolCounter(options: { name: string; help: string; registry: Registry; totals: TopSymbolTotals }): Counter<"symbol"> {
  const { totals } = options;
  return new Counter({
    name: options.name,
    help: `${options.help} (the busiest symbols by name, the rest as symbol="other")`,
    labelNames: ["symbol"],
    registers: [options.registry],
    collect() {
      this.reset();
      for (const [symbol, total] of totals.series()) this.inc({ symbol }, total);
    },
  });
}
