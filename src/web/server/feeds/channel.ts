/**
 * A bounded single-consumer queue that an async generator drains: producers `push`, the
 * subscription `for await`s. When full, the oldest item is dropped (live data: the newest
 * matters) and counted. Ends when closed or when the signal aborts.
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #waiter: (() => void) | null = null;
  #closed = false;
  dropped = 0;

  constructor(
    readonly capacity = 256,
    signal?: AbortSignal,
  ) {
    signal?.addEventListener("abort", () => this.close(), { once: true });
    if (signal?.aborted) this.close();
  }

  push(item: T): void {
    if (this.#closed) return;
    if (this.#items.length >= this.capacity) {
      this.#items.shift();
      this.dropped++;
    }
    this.#items.push(item);
    this.#wake();
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.#items.length > 0) {
        yield this.#items.shift()!;
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }
}
