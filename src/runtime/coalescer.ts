/**
 * Calls that arrive within `windowMs` of each other become one: their items are handed to `run`
 * together, and every caller's promise settles with that one run. (Ingest shards acquired at the
 * same moment become one SUBSCRIBE, which Binance rate-limits per message.)
 */
export class Coalescer<T> {
  readonly #windowMs: number;
  readonly #run: (items: T[]) => Promise<void>;
  #pending: { items: T[]; done: Promise<void>; settle: (err?: unknown) => void } | undefined;

  constructor(windowMs: number, run: (items: T[]) => Promise<void>) {
    this.#windowMs = windowMs;
    this.#run = run;
  }

  add(items: readonly T[]): Promise<void> {
    if (this.#pending === undefined) {
      let settle!: (err?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => (settle = (err) => (err === undefined ? resolve() : reject(err))));
      const batch = { items: [] as T[], done, settle };
      this.#pending = batch;
      setTimeout(() => {
        if (this.#pending === batch) this.#pending = undefined;
        this.#run(batch.items).then(() => batch.settle(), (err: unknown) => batch.settle(err ?? new Error("failed")));
      }, this.#windowMs);
    }
    this.#pending.items.push(...items);
    return this.#pending.done;
  }
}
