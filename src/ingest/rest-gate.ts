/**
 * Turns for a node's REST requests under one weight limit (Binance counts per IP). Gap fills go
 * before catch-ups: a gap fill holds its symbol's live trades until its answer, a catch-up holds
 * none (publisher.ts). First come, first served within a priority, and one timer for the whole
 * queue: thousands of waiters polling the limiter each woke together for every free slot and
 * took it in no order, so one gap fill could wait behind 2,000 catch-ups (8 minutes at 240/min).
 */
import { systemClock, type Clock, type TimerHandle } from "../runtime/clock.js";
import type { SlidingWindowLimiter } from "./rate-limiter.js";

export type RestPriority = "fill" | "catch-up";

interface Waiter {
  resolve(): void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  done: boolean;
}

export class RestGate {
  readonly #limiter: SlidingWindowLimiter;
  readonly #clock: Clock;
  readonly #queues: Record<RestPriority, Waiter[]> = { fill: [], "catch-up": [] };
  readonly #waiting: Record<RestPriority, number> = { fill: 0, "catch-up": 0 };
  #timer: TimerHandle | null = null;

  constructor(limiter: SlidingWindowLimiter, clock: Clock = systemClock) {
    this.#limiter = limiter;
    this.#clock = clock;
  }

  /** Resolves when one request may go; rejects with the signal's reason if it aborts first (the turn is not used). */
  turn(priority: RestPriority = "fill", signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        signal,
        done: false,
        onAbort: () => {
          if (w.done) return;
          w.done = true;
          this.#waiting[priority]--;
          reject(signal!.reason);
          this.#pump(); // nobody else waiting: the timer goes now, not when it fires
        },
      };
      signal?.addEventListener("abort", w.onAbort, { once: true });
      this.#queues[priority].push(w);
      this.#waiting[priority]++;
      this.#pump();
    });
  }

  /** Requests waiting for a turn, by priority. */
  waiting(): { fill: number; catchUp: number } {
    return { fill: this.#waiting.fill, catchUp: this.#waiting["catch-up"] };
  }

  #head(): [RestPriority, Waiter] | undefined {
    for (const p of ["fill", "catch-up"] as const) {
      const q = this.#queues[p];
      while (q.length > 0 && q[0]!.done) q.shift();
      if (q.length > 0) return [p, q[0]!];
    }
    return undefined;
  }

  #pump(): void {
    for (let head = this.#head(); head !== undefined; head = this.#head()) {
      const now = this.#clock.now();
      if (!this.#limiter.tryTake(now)) {
        this.#timer ??= this.#clock.setTimeout(() => {
          this.#timer = null;
          this.#pump();
        }, this.#limiter.waitMs(now));
        return;
      }
      const [p, w] = head;
      this.#queues[p].shift();
      w.done = true;
      this.#waiting[p]--;
      w.signal?.removeEventListener("abort", w.onAbort);
      w.resolve();
    }
    this.#timer?.cancel();
    this.#timer = null;
  }
}
