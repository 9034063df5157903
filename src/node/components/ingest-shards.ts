/**
 * Ingestion sharded across the nodes with the `ingest` role. A symbol belongs to the trade-log
 * partition of its subject (`partitionOf(symbol)`), and the node holding that partition's *ingest
 * lease* (a ClusterNode of its own, buckets `rt_ingest_members` / `rt_ingest_leases`) is the one
 * that reads the symbol from the exchange. Leases, rendezvous placement and rebalancing are the
 * partitions' (src/runtime/cluster/README.md).
 *
 * A handover overlaps and ends on the new owner's word. The old owner keeps reading a released
 * shard (at most `overlapMs`) and answers on the handover channel; the new owner holds the shard's
 * trades, connects, and once its streams are live claims the shard: the old owner stops reading,
 * puts everything it read into the log and says so. The new owner then re-reads the log's marks and
 * lets the held trades in: between them every trade was read, so nothing needs the exchange's REST
 * history and the log (idempotent per trade id) doubles nothing. When nobody answers the claim (a
 * crash, the first start) the new owner finds a hole above the log's last id and fills it from the
 * exchange's REST history where the publisher can.
 *
 * A lost lease (renewals not confirmed in time: a loaded or paused process) overlaps too. Reading
 * without the lease doubles nothing in the log, and this node, still the shard's rendezvous owner,
 * usually takes it straight back: it then finds its own reader still going and needs nobody's
 * claim and nothing from the exchange. Another node's claim ends the overlap as in a handover.
 */
import type { TimerHandle } from "../../runtime/clock.js";
import { systemClock, type Clock } from "../../runtime/clock.js";
import { atMost } from "../../runtime/at-most.js";
import { partitionOf } from "../../runtime/cluster/partition.js";
import type { PartitionHost, PartitionStopReason } from "../../runtime/cluster/types.js";
import type { HandoverChannel } from "./ingest-handover.js";

export interface IngestShardsOptions {
  /** Trade-log partitions: a symbol's shard is `partitionOf(symbol, partitions)`. */
  partitions: number;
  /** How long a released shard keeps being read at most, waiting for the new owner's claim (ms). */
  overlapMs: number;
  /**
   * Added to the overlap of a shard whose lease was lost (ms; default 0): nobody, this node
   * included, can take the lease before it runs out, so the overlap counts from then. Give the
   * lease TTL: a loaded lone node that loses its leases then takes them back while still reading,
   * instead of having released them and asking the exchange's REST history for every symbol.
   */
  lostLeaseExtraMs?: number;
  /**
   * Start reading these symbols, holding their trades until `settle`; resolves once they are live,
   * or `false` when they were not live in time (trades before that may be missing). Throws if it cannot.
   */
  adopt(symbols: string[]): Promise<boolean | void>;
  /**
   * Lets the held trades in after the log's marks, re-read now. `previousFlushed`: the previous
   * reader logged everything up to our streams going live (nothing to ask the exchange for).
   */
  settle?(symbols: string[], previousFlushed: boolean): Promise<void>;
  /** Stop reading these symbols. */
  release(symbols: string[]): Promise<void>;
  /** Resolves once everything read of these symbols is in the log. */
  flush?(symbols: string[]): Promise<void>;
  /** Where a new owner claims a shard from the node still reading it. Without one, overlaps end on their timer. */
  handover?: HandoverChannel;
  clock?: Clock;
}

/** The symbols of one shard, in the order given. */
export function symbolsOfShard(symbols: Iterable<string>, shard: number, partitions: number): string[] {
  return [...symbols].filter((s) => partitionOf(s, partitions) === shard);
}

/** A released shard still read during its overlap. */
interface Lingering {
  timer: TimerHandle;
  /** Resolves once its symbols are released, or the shard was taken back. */
  released: Promise<void>;
  /** Set once the new owner claimed it: resolves after the flush, before the answer. */
  finishing: Promise<void> | undefined;
  /** Ends the overlap now: stops answering claims, releases the symbols unless the shard is ours again (or `release` is false). */
  fire: (release?: boolean) => void;
}

export class IngestShards implements PartitionHost {
  readonly #o: IngestShardsOptions;
  readonly #clock: Clock;
  /** Every symbol this deployment ingests (the configured list, plus admin subscribes). */
  readonly #symbols: Set<string>;
  readonly #owned = new Set<number>();
  readonly #lingering = new Map<number, Lingering>();
  /** Shutting down (overlapsEnded with release: false): a shard stopped from now on is not read on. */
  #closing = false;
  /** Shards acquired whose start (adopt, claim, settle) is under way. */
  readonly #starting = new Set<number>();

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

  /** Owned shards still starting, and released ones still read in their overlap: both 0 once the shards settled. */
  transitions(): { starting: number; lingering: number } {
    return { starting: this.#starting.size, lingering: this.#lingering.size };
  }

  async startPartition(shard: number): Promise<void> {
    const linger = this.#lingering.get(shard);
    if (linger) {
      // Still reading it from before the handover: keep reading, but as the owner again.
      linger.timer.cancel();
      this.#lingering.delete(shard);
      linger.fire(); // stops answering claims and resolves its overlap without releasing anything
    }
    // Owned before the adopt is awaited: a symbol added meanwhile (admin subscribe) is then adopted too.
    this.#owned.add(shard);
    const symbols = symbolsOfShard(this.#symbols, shard, this.#o.partitions);
    this.#starting.add(shard);
    try {
      let live: boolean;
      try {
        live = (await this.#o.adopt(symbols)) !== false;
      } catch (err) {
        this.#owned.delete(shard);
        throw err;
      }
      // Read without a break when we kept reading it. Otherwise the previous reader stops at our
      // claim either way, but its word covers only what came before our streams were live.
      const answered = linger === undefined && ((await this.#o.handover?.claim(shard)) ?? false);
      await this.#o.settle?.(symbols, linger !== undefined || (answered && live));
    } finally {
      this.#starting.delete(shard);
    }
  }

  async stopPartition(shard: number, reason: PartitionStopReason): Promise<void> {
    this.#owned.delete(shard);
    // Shutting down: the ingest actor's own stop ends every stream. A lease lost now (NATS gone, the
    // renewals failing) must not start an overlap whose timer and offer outlive the node's shutdown.
    if (this.#closing) return;
    const symbols = symbolsOfShard(this.#symbols, shard, this.#o.partitions);
    // Every stop overlaps, a lost lease too (see the top of this file).
    let withdraw = () => {};
    let fire!: (release?: boolean) => void;
    const released = new Promise<void>((resolve) => {
      fire = (release = true) => {
        withdraw();
        if (this.#lingering.get(shard) !== entry) return resolve();
        this.#lingering.delete(shard);
        if (!release) return resolve();
        this.#o.release(symbols).then(resolve, resolve);
      };
    });
    const overlapMs = this.#o.overlapMs + (reason === "lease-lost" ? (this.#o.lostLeaseExtraMs ?? 0) : 0);
    const entry: Lingering = { timer: this.#clock.setTimeout(() => fire(), overlapMs), released, finishing: undefined, fire: (release) => fire(release) };
    this.#lingering.set(shard, entry);
    // Claimed by the new owner (its streams are live): stop reading, log what we read, then answer.
    const finish = () =>
      (entry.finishing ??= (async () => {
        entry.timer.cancel();
        fire();
        await released;
        await this.#o.flush?.(symbols);
      })());
    if (this.#o.handover === undefined) return;
    const offered = this.#o.handover.offer(shard, finish).then((w) => {
      withdraw = w;
      if (this.#lingering.get(shard) !== entry) w(); // the overlap ended while we subscribed
    });
    // A lost lease must stop fast and NATS may be unreachable: offer in the background (a claim
    // made before it listens finds nobody and falls back to the exchange's history; the overlap ends on its timer).
    if (reason === "lease-lost") return void offered.catch(() => {});
    // Listening before we return: the lease is released after this, and the new owner claims right away.
    await offered;
  }

  /** Adds symbols to the deployment's set; those of owned shards are read at once. */
  async add(symbols: readonly string[]): Promise<void> {
    const fresh = symbols.filter((s) => !this.#symbols.has(s));
    for (const s of fresh) this.#symbols.add(s);
    const mine = fresh.filter((s) => this.#owned.has(partitionOf(s, this.#o.partitions)));
    if (mine.length === 0) return;
    await this.#o.adopt(mine);
    await this.#o.settle?.(mine, false);
  }

  /** Removes symbols from the set and stops reading them. */
  async remove(symbols: readonly string[]): Promise<void> {
    const reading = new Set(this.reading());
    for (const s of symbols) this.#symbols.delete(s);
    const stop = symbols.filter((s) => reading.has(s));
    if (stop.length > 0) await this.#o.release(stop);
  }

  /**
   * Resolves once every handover overlap has ended (shutdown waits for it after leaving), or
   * `withinMs` passed: then ends them now. `release: false` (shutdown) ends the rest without
   * releasing their symbols shard by shard: the ingest actor's own stop closes every connection
   * and flushes or spools at once, whereas 32 releases are 32 UNSUBSCRIBEs at the exchange's 5
   * control messages/s (11 s at 1,000 symbols, past the shutdown step's budget). After it, a shard
   * stopped (a lease lost while NATS is gone) is not read on: the node is closing.
   */
  async overlapsEnded(withinMs: number, options: { release?: boolean } = {}): Promise<void> {
    if (options.release === false) this.#closing = true;
    const pending = [...this.#lingering.values()];
    if (pending.length === 0) return;
    const ended = () => Promise.all(pending.map((l) => l.released.then(() => l.finishing)));
    await atMost(withinMs, ended(), this.#clock);
    for (const l of pending) {
      l.timer.cancel();
      l.fire(options.release ?? true);
    }
    await ended();
  }
}
