/** The symbol picker's search: pure, so the page test and a unit test share it. */

export interface SymbolMatches {
  /** At most `limit` symbols: those starting with the query first (shorter first, so an exact name leads), then those containing it. */
  shown: string[];
  /** Matches left out by the limit (the picker says "N more — keep typing"). */
  more: number;
}

export const DEFAULT_SHOWN_SYMBOLS = 50;

export function filterSymbols(symbols: readonly string[], query: string, limit = DEFAULT_SHOWN_SYMBOLS): SymbolMatches {
  const q = query.trim().toUpperCase();
  const prefix: string[] = [];
  const inner: string[] = [];
  for (const s of symbols) {
    const at = s.toUpperCase().indexOf(q);
    if (at === 0) prefix.push(s);
    else if (at > 0) inner.push(s);
  }
  const byLength = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const all = [...prefix.sort(byLength), ...inner.sort(byLength)];
  return { shown: all.slice(0, limit), more: Math.max(0, all.length - limit) };
}
