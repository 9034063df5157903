/**
 * Per-symbol latest state that forgets symbols gone quiet: a symbol with nothing for `staleAfterMs`
 * (delisted, renamed, its feed stopped) is dropped, so a long-running server's maps follow the
 * symbols that are live, not every symbol ever seen. Sweeps run from `set`, at most every tenth
 * of the period, so nothing ticks in the background.
 */
export const DEFAULT_STALE_AFTER_MS = 10 * 60_000;

export class RecentSymbols<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();
  #sweptAt: number;

  constructor(
    readonly now: () => number = Date.now,
    readonly staleAfterMs = DEFAULT_STALE_AFTER_MS,
    private readonly onEvict: (symbol: string) => void = () => {},
  ) {
    if (!(Number.isFinite(staleAfterMs) && staleAfterMs > 0)) throw new RangeError(`staleAfterMs must be a positive number of ms, got ${staleAfterMs}`);
    this.#sweptAt = now();
  }

  set(symbol: string, value: V): void {
    const now = this.now();
    // Delete first so the map stays in order of last update (the sweep stops at the first fresh one).
    this.#entries.delete(symbol);
    this.#entries.set(symbol, { value, at: now });
    if (now - this.#sweptAt >= this.staleAfterMs / 10) this.sweep(now);
  }

  get(symbol: string): V | undefined {
    return this.#entries.get(symbol)?.value;
  }

  symbols(): string[] {
    return [...this.#entries.keys()];
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Drops the symbols not updated within `staleAfterMs` of `now`. */
  sweep(now = this.now()): void {
    this.#sweptAt = now;
    for (const [symbol, e] of this.#entries) {
      if (now - e.at < this.staleAfterMs) break;
      this.#entries.delete(symbol);
      this.onEvict(symbol);
    }
  }
}
