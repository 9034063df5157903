/**
 * The deployment's ingested symbols, one set for every ingest node: the configured `SYMBOLS`, plus
 * what `admin subscribe` added, minus what `admin unsubscribe` removed. The admin changes live in
 * the KV bucket `rt_ingest_symbols` (key = symbol, value "on" or "off"), so a node that starts or
 * restarts later reads the same set, and a change made through any node reaches all of them.
 */
import { Kvm, type KV } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/nats-core";
import { systemClock } from "../../runtime/clock.js";
import { KvFollower } from "../../runtime/cluster/membership/kv-follower.js";
import { BUCKETS } from "../../runtime/nats/spec.js";

export type SymbolSwitch = "on" | "off";

/** The set: configured symbols, with the admin switches applied over them. */
export function effectiveSymbols(configured: readonly string[], switches: ReadonlyMap<string, SymbolSwitch>): string[] {
  const set = new Set(configured);
  for (const [symbol, state] of switches) {
    if (state === "on") set.add(symbol);
    else set.delete(symbol);
  }
  return [...set];
}

const decoder = new TextDecoder();

function parseSwitch(value: Uint8Array | undefined): SymbolSwitch | undefined {
  const text = value === undefined ? "" : decoder.decode(value);
  return text === "on" || text === "off" ? text : undefined;
}

export interface SharedSymbolsOptions {
  configured: readonly string[];
  /** Called for every change after `open` resolved (another node's admin command, or ours). */
  onChange(added: string[], removed: string[]): void;
  onError?(error: unknown): void;
  bucket?: string;
}

export class SharedSymbols {
  readonly #kv: KV;
  readonly #o: SharedSymbolsOptions;
  readonly #switches = new Map<string, SymbolSwitch>();
  /** Per key, the newest revision applied: the watch and our own writes may arrive in either order. */
  readonly #revisions = new Map<string, number>();
  #current: Set<string>;
  #follower: KvFollower | undefined;
  #started = false;

  private constructor(kv: KV, options: SharedSymbolsOptions) {
    this.#kv = kv;
    this.#o = options;
    this.#current = new Set(options.configured);
  }

  /** Reads the switches (the returned set is complete), then follows changes. */
  static async open(nc: NatsConnection, options: SharedSymbolsOptions): Promise<SharedSymbols> {
    const kv = await new Kvm(nc).open(options.bucket ?? BUCKETS.ingestSymbols);
    const shared = new SharedSymbols(kv, options);
    shared.#follower = new KvFollower(kv, {
      clock: systemClock,
      retryMs: 1000,
      onChange: (c) => shared.#apply(c.key, parseSwitch(c.value), c.revision),
      onError: (err) => options.onError?.(err),
    });
    await shared.#follower.start();
    shared.#started = true;
    return shared;
  }

  symbols(): string[] {
    return [...this.#current];
  }

  /** Turns symbols on (or off) for the whole deployment; applied here before it resolves. */
  async set(symbols: readonly string[], state: SymbolSwitch): Promise<void> {
    for (const s of symbols) this.#apply(s, state, await this.#kv.put(s, state));
  }

  stop(): void {
    this.#follower?.stop();
  }

  #apply(symbol: string, state: SymbolSwitch | undefined, revision: number): void {
    if (revision <= (this.#revisions.get(symbol) ?? 0)) return;
    this.#revisions.set(symbol, revision);
    if (state === undefined) this.#switches.delete(symbol);
    else this.#switches.set(symbol, state);
    const next = new Set(effectiveSymbols(this.#o.configured, this.#switches));
    const added = [...next].filter((s) => !this.#current.has(s));
    const removed = [...this.#current].filter((s) => !next.has(s));
    this.#current = next;
    if (this.#started && (added.length > 0 || removed.length > 0)) this.#o.onChange(added, removed);
  }
}
