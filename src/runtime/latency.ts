/** Percentiles of recent latency samples: a fixed-size ring, pure maths, no timers. */

export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentile of an ascending array (q in [0, 1]); null when empty. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1]!,
  };
}

/** The last `capacity` samples (ms). */
export class LatencyWindow {
  readonly #buf: number[] = [];
  #next = 0;
  constructor(readonly capacity = 2048) {}

  add(ms: number): void {
    if (!Number.isFinite(ms)) return;
    if (this.#buf.length < this.capacity) this.#buf.push(ms);
    else this.#buf[this.#next] = ms;
    this.#next = (this.#next + 1) % this.capacity;
  }

  summary(): LatencySummary {
    return summarize(this.#buf);
  }
}

/** Events per second over a sliding window of whole seconds (injected clock for tests). */
export class RateMeter {
  readonly #buckets = new Map<number, number>();
  constructor(
    readonly windowSeconds = 10,
    readonly now: () => number = Date.now,
  ) {}

  add(n = 1): void {
    const sec = Math.floor(this.now() / 1000);
    this.#buckets.set(sec, (this.#buckets.get(sec) ?? 0) + n);
    for (const k of this.#buckets.keys()) if (k <= sec - this.windowSeconds - 1) this.#buckets.delete(k);
  }

  /** Average over the last full `windowSeconds` seconds (the current partial second excluded). */
  perSecond(): number {
    const sec = Math.floor(this.now() / 1000);
    let total = 0;
    for (const [k, v] of this.#buckets) if (k < sec && k >= sec - this.windowSeconds) total += v;
    return total / this.windowSeconds;
  }
}
