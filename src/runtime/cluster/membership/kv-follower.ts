import { KvWatchInclude, type KV } from "@nats-io/kv";
import type { Clock, TimerHandle } from "../../clock.js";

/** One change of a key: `value` is undefined for a delete or purge. */
export type KvChange = { key: string; value: Uint8Array | undefined; revision: number };

/**
 * Follows a bucket: an updates-only watch started first, then a snapshot read of every live key,
 * so nothing written in between is missed (the consumer applies by revision, newest wins). If the
 * watch ends while following (server restart, consumer lost), it starts again the same way.
 */
export class KvFollower {
  readonly #kv: KV;
  readonly #onChange: (change: KvChange) => void;
  readonly #onError: (err: unknown) => void;
  readonly #clock: Clock;
  readonly #retryMs: number;
  #stopped = false;
  #watch: { stop(): void } | undefined;
  #retry: TimerHandle | undefined;

  constructor(kv: KV, options: { clock: Clock; retryMs: number; onChange: (c: KvChange) => void; onError: (err: unknown) => void }) {
    this.#kv = kv;
    this.#onChange = options.onChange;
    this.#onError = options.onError;
    this.#clock = options.clock;
    this.#retryMs = options.retryMs;
  }

  /** Resolves once the snapshot is applied: the view then reflects the bucket as of the call. */
  async start(): Promise<void> {
    const iter = await this.#kv.watch({ include: KvWatchInclude.UpdatesOnly });
    this.#watch = iter;
    try {
      await this.#snapshot();
    } catch (err) {
      iter.stop(); // the retry starts a fresh watch; never leave two running
      throw err;
    }
    void this.#pump(iter);
  }

  stop(): void {
    this.#stopped = true;
    this.#retry?.cancel();
    this.#watch?.stop();
  }

  async #snapshot(): Promise<void> {
    const keys: string[] = [];
    for await (const k of await this.#kv.keys()) keys.push(k);
    for (const key of keys) {
      const e = await this.#kv.get(key);
      if (!e) continue;
      const deleted = e.operation === "DEL" || e.operation === "PURGE";
      this.#onChange({ key: e.key, value: deleted ? undefined : e.value, revision: e.revision });
    }
  }

  async #pump(iter: AsyncIterable<{ key: string; value: Uint8Array; revision: number; operation: string }>): Promise<void> {
    try {
      for await (const e of iter) {
        const deleted = e.operation === "DEL" || e.operation === "PURGE";
        this.#onChange({ key: e.key, value: deleted ? undefined : e.value, revision: e.revision });
      }
    } catch (err) {
      this.#onError(err);
    }
    if (!this.#stopped) this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    this.#retry = this.#clock.setTimeout(() => {
      if (this.#stopped) return;
      this.start().catch((err: unknown) => {
        this.#onError(err);
        if (!this.#stopped) this.#scheduleRestart();
      });
    }, this.#retryMs);
  }
}
