/** Time as the runtime sees it: injected, so tests advance it instead of sleeping. */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, delayMs) {
    const t = setTimeout(fn, delayMs);
    return { cancel: () => clearTimeout(t) };
  },
};

/** A clock that moves only when told to; `advance` fires due timers in time order (ties: in the order they were set). */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  /** Min-heap on (at, id); cancelled entries are skipped when they reach the top. */
  #heap: { at: number; id: number; fn: () => void }[] = [];
  #live = new Set<number>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = ++this.#seq;
    this.#live.add(id);
    // Cancelled entries stay in the heap until they surface; rebuild when they dominate, so
    // many cancelled timers (e.g. answered asks) never pile up.
    if (this.#heap.length > 64 && this.#heap.length > 2 * this.#live.size) this.#compact();
    this.#push({ at: this.#now + Math.max(0, delayMs), id, fn });
    return { cancel: () => void this.#live.delete(id) };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first (timers set while firing included). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#heap[0];
      if (next === undefined || next.at > target) break;
      this.#pop();
      if (!this.#live.delete(next.id)) continue;
      this.#now = Math.max(this.#now, next.at);
      next.fn();
    }
    this.#now = target;
  }

  get pendingTimers(): number {
    return this.#live.size;
  }

  /** Entries held, cancelled ones included (for the memory test). */
  get heapSizeForTest(): number {
    return this.#heap.length;
  }

  #compact(): void {
    const live = this.#heap.filter((e) => this.#live.has(e.id)).sort((a, b) => (before(a, b) ? -1 : 1));
    this.#heap = live; // a sorted array is a valid min-heap
  }

  #push(entry: { at: number; id: number; fn: () => void }): void {
    const heap = this.#heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && before(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && before(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) break;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: { at: number; id: number }, b: { at: number; id: number }): boolean {
  return a.at < b.at || (a.at === b.at && a.id < b.id);
}

/** Waits `ms` on the clock, or less if `signal` aborts first (it never rejects). */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = clock.setTimeout(done, ms);
    function done() {
      timer.cancel();
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
