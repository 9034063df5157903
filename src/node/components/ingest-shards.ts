/**
 * Ingestion sharded across the nodes with the `ingest` role. A symbol belongs to the trade-log
 * partition of its subject (`partitionOf(symbol)`), and the node holding that partition's *ingest
 * lease* (a ClusterNode of its own, buckets `rt_ingest_members` / `rt_ingest_leases`) is the one
 * that reads the symbol from the exchange. Leases, rendezvous placement and rebalancing are the
 * partitions' (src/runtime/cluster/README.md).
 *
 * A handover overlaps: the old owner keeps reading a partition's symbols for `overlapMs` after it
 * released the lease, while the new owner connects; the log is idempotent per trade id (a publish
 * expects the subject's tail), so the overlap doubles nothing and the new owner starts from the
 * log's last id. After a crash there is no overlap: the new owner finds a hole above the log's
 * last id and fills it from the exchange's REST history where the publisher can.
 */
import type { TimerHandle } from "../../runtime/clock.js";
import { systemClock, type Clock } from "../../runtime/clock.js";
import { atMost } from "../../runtime/at-most.js";
import { partitionOf } from "../../runtime/cluster/partition.js";
import type { PartitionHost, PartitionStopReason } from "../../runtime/cluster/types.js";

export interface IngestShardsOptions {
  /** Trade-log partitions: a symbol's shard is `partitionOf(symbol, partitions)`. */
  partitions: number;
  /** How long a released shard keeps being read, so the new owner connects before we stop (ms). */
  overlapMs: number;
  /** Start reading these symbols (their marks re-read from the log first). Throws if it cannot. */
  adopt(symbols: string[]): Promise<void>;
  /** Stop reading these symbols. */
  release(symbols: string[]): Promise<void>;
  clock?: Clock;
}

/** The symbols of one shard, in the order given. */
export function symbolsOfShard(symbols: Iterable<string>, shard: number, partitions: number): string[] {
  return [...symbols].filter((s) => partitionOf(s, partitions) === shard);
}

export class IngestShards implements PartitionHost {
  readonly #o: IngestShardsOptions;
  readonly #clock: Clock;
  /** Every symbol this deployment ingests (the configured list, plus admin subscribes). */
  readonly #symbols: Set<string>;
  readonly #owned = new Set<number>();
  readonly #lingering = new Map<number, { timer: TimerHandle; done: Promise<void>; fire: () => void }>();

  constructor(symbols: Iterable<string>, options: IngestShardsOptions) {
    this.#symbols = new Set(symbols);
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** The symbols this node reads now: its shards' and those of shards still in their handover overlap. */
  reading(): string[] {
    const shards = new Set([...this.#owned, ...this.#lingering.keys()]);
    return [...this.#symbols].filter((s) => shards.has(partitionOf(s, this.#o.partitions)));
  }

  ownedShards(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  async startPartition(shard: number): Promise<void> {
    const linger = this.#lingering.get(shard);
    if (linger) {
      // Still reading it from before the handover: keep reading, but as the owner again.
      linger.timer.cancel();
      this.#lingering.delete(shard);
      linger.fire(); // resolves its overlap without releasing anything
    }
    // Owned before the adopt is awaited: a symbol added meanwhile (admin subscribe) is then adopted too.
    this.#owned.add(shard);
    try {
      await this.#o.adopt(symbolsOfShard(this.#symbols, shard, this.#o.partitions));
    } catch (err) {
      this.#owned.delete(shard);
      throw err;
    }
  }

  async stopPartition(shard: number, reason: PartitionStopReason): Promise<void> {
    this.#owned.delete(shard);
    const symbols = symbolsOfShard(this.#symbols, shard, this.#o.partitions);
    // The lease is gone or going to someone else at once: stop now. A handover or a leave overlaps.
    if (reason === "lease-lost") return this.#o.release(symbols);
    let fire!: () => void;
    const done = new Promise<void>((resolve) => {
      fire = () => {
        if (this.#lingering.get(shard)?.done !== done) return resolve();
        this.#lingering.delete(shard);
        this.#o.release(symbols).then(resolve, resolve);
      };
    });
    this.#lingering.set(shard, { timer: this.#clock.setTimeout(() => fire(), this.#o.overlapMs), done, fire });
  }

  /** Adds symbols to the deployment's set; those of owned shards are read at once. */
  async add(symbols: readonly string[]): Promise<void> {
    const fresh = symbols.filter((s) => !this.#symbols.has(s));
    for (const s of fresh) this.#symbols.add(s);
    const mine = fresh.filter((s) => this.#owned.has(partitionOf(s, this.#o.partitions)));
    if (mine.length > 0) await this.#o.adopt(mine);
  }

  /** Removes symbols from the set and stops reading them. */
  async remove(symbols: readonly string[]): Promise<void> {
    const reading = new Set(this.reading());
    for (const s of symbols) this.#symbols.delete(s);
    const stop = symbols.filter((s) => reading.has(s));
    if (stop.length > 0) await this.#o.release(stop);
  }

  /** Resolves once every handover overlap has ended (shutdown waits for it after leaving), or `withinMs` passed: then ends them now. */
  async overlapsEnded(withinMs: number): Promise<void> {
    const pending = [...this.#lingering.values()];
    if (pending.length === 0) return;
    await atMost(withinMs, Promise.all(pending.map((l) => l.done)), this.#clock);
    for (const l of pending) {
      l.timer.cancel();
      l.fire();
    }
    await Promise.all(pending.map((l) => l.done));
  }
}
