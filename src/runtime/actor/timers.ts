/** Keyed timers owned by one actor, built on the injected clock; they deliver messages to it. */
import type { Clock, TimerHandle } from "../clock.js";
import { InvalidActorOption } from "./errors.js";
import type { Timers } from "./types.js";

interface TimerEntry {
  handle: TimerHandle | undefined;
}

export class ActorTimers<M> implements Timers<M> {
  readonly #entries = new Map<string, TimerEntry>();

  constructor(
    private readonly clock: Clock,
    private readonly deliver: (message: M, key: string) => void,
  ) {}

  /** Fires once after `delayMs`; starting a key again replaces the earlier timer. */
  startSingle(key: string, message: M, delayMs: number): void {
    if (!(delayMs >= 0)) throw new InvalidActorOption("delayMs", `must be >= 0, got ${delayMs}`);
    this.cancel(key);
    const entry: TimerEntry = { handle: undefined };
    this.#entries.set(key, entry);
    entry.handle = this.clock.setTimeout(() => {
      if (this.#entries.get(key) !== entry) return;
      this.#entries.delete(key);
      this.deliver(message, key);
    }, delayMs);
  }

  /** Fires every `intervalMs` (measured from the previous firing) until cancelled. */
  startPeriodic(key: string, message: M, intervalMs: number): void {
    if (!(intervalMs > 0)) throw new InvalidActorOption("intervalMs", `must be > 0, got ${intervalMs}`);
    this.cancel(key);
    const entry: TimerEntry = { handle: undefined };
    this.#entries.set(key, entry);
    const tick = (): void => {
      if (this.#entries.get(key) !== entry) return;
      // Re-arm before delivering so a delivery that cancels the key wins.
      entry.handle = this.clock.setTimeout(tick, intervalMs);
      this.deliver(message, key);
    };
    entry.handle = this.clock.setTimeout(tick, intervalMs);
  }

  cancel(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    entry.handle?.cancel();
  }

  isActive(key: string): boolean {
    return this.#entries.has(key);
  }

  cancelAll(): void {
    for (const entry of this.#entries.values()) entry.handle?.cancel();
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
