/**
 * Every node's view of the champions: follows the rt_champions bucket, loads each new
 * champion's artifact from the lake once, and keeps a ready `Predictor` per symbol, so symbol
 * actors swap models at once (`onChange`) and new actors start with `get(symbol)`.
 *
 * Changes are applied by KV revision: a slow artifact load that finishes after a newer pointer
 * arrived is dropped. A pointer whose artifact cannot be loaded leaves the previous predictor in
 * service and is reported through `onError`. A deleted pointer falls back to the naive forecast.
 */
import type { KV } from "@nats-io/kv";
import { naivePredictor, type Predictor } from "../ml/predictor.js";
import { KvFollower, type KvChange } from "../runtime/cluster/membership/kv-follower.js";
import { systemClock, type Clock } from "../runtime/clock.js";
import type { ArtifactStore } from "./artifacts.js";
import { isNaiveRef, parsePointer, type ChampionPointer } from "./pointer.js";
import { predictorFromModel } from "./predictor.js";

export type ChampionListener = (symbol: string, predictor: Predictor, pointer: ChampionPointer | null) => void;

export interface ChampionCacheOptions {
  kv: KV;
  artifacts: ArtifactStore;
  clock?: Clock;
  /** Delay before re-watching after the watch ended (server restart). Default 1000 ms. */
  retryMs?: number;
  onError?: (err: unknown, symbol?: string) => void;
}

interface Entry {
  /** Newest revision seen for the key (applied or still loading). */
  seen: number;
  applied: number;
  predictor: Predictor | undefined;
  pointer: ChampionPointer | null;
}

const decoder = new TextDecoder();

export class ChampionCache implements AsyncDisposable {
  readonly #entries = new Map<string, Entry>();
  readonly #listeners = new Set<ChampionListener>();
  readonly #pending = new Set<Promise<void>>();
  readonly #follower: KvFollower;
  readonly #artifacts: ArtifactStore;
  readonly #onError: (err: unknown, symbol?: string) => void;

  constructor(options: ChampionCacheOptions) {
    this.#artifacts = options.artifacts;
    this.#onError = options.onError ?? (() => {});
    this.#follower = new KvFollower(options.kv, {
      clock: options.clock ?? systemClock,
      retryMs: options.retryMs ?? 1000,
      onChange: (c) => this.#changed(c),
      onError: (err) => this.#onError(err),
    });
  }

  /** Resolves once every champion present at the call is loaded (or has failed to load). */
  async start(): Promise<void> {
    await this.#follower.start();
    await this.settled();
  }

  /** Waits for artifact loads in flight. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** The champion's predictor, or undefined when the symbol has none (serve the naive forecast). */
  get(symbol: string): Predictor | undefined {
    return this.#entries.get(symbol)?.predictor;
  }

  pointer(symbol: string): ChampionPointer | null {
    return this.#entries.get(symbol)?.pointer ?? null;
  }

  /** Versions in service, by symbol. */
  versions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [symbol, e] of [...this.#entries].sort(([a], [b]) => a.localeCompare(b))) if (e.predictor) out[symbol] = e.predictor.version;
    return out;
  }

  onChange(listener: ChampionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#follower.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.settled();
  }

  #changed(change: KvChange): void {
    const symbol = change.key;
    const entry = this.#entries.get(symbol) ?? { seen: 0, applied: 0, predictor: undefined, pointer: null };
    this.#entries.set(symbol, entry);
    if (change.revision <= entry.seen) return;
    entry.seen = change.revision;
    if (change.value === undefined) {
      this.#apply(symbol, entry, change.revision, naivePredictor, null);
      return;
    }
    let pointer: ChampionPointer;
    try {
      pointer = parsePointer(JSON.parse(decoder.decode(change.value)), symbol);
    } catch (err) {
      this.#onError(err, symbol);
      return;
    }
    if (isNaiveRef(pointer)) {
      // A demotion: the naive forecast serves; the pointer keeps the history for a rollback.
      this.#apply(symbol, entry, change.revision, naivePredictor, pointer);
      return;
    }
    if (entry.predictor?.version === pointer.version) {
      entry.pointer = pointer;
      entry.applied = change.revision;
      return;
    }
    const load = this.#artifacts
      .load(pointer.version, pointer.artifact)
      .then((model) => this.#apply(symbol, entry, change.revision, predictorFromModel(model, pointer.version), pointer))
      .catch((err: unknown) => this.#onError(err, symbol))
      .finally(() => this.#pending.delete(load));
    this.#pending.add(load);
  }

  #apply(symbol: string, entry: Entry, revision: number, predictor: Predictor, pointer: ChampionPointer | null): void {
    // A newer pointer already took effect while this one was loading.
    if (revision < entry.applied) return;
    entry.applied = revision;
    entry.predictor = predictor;
    entry.pointer = pointer;
    for (const l of this.#listeners) {
      try {
        l(symbol, predictor, pointer);
      } catch (err) {
        this.#onError(err, symbol);
      }
    }
  }
}
