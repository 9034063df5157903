import { randomUUID } from "node:crypto";
import { Kvm, type KV } from "@nats-io/kv";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { systemClock, type Clock } from "../../clock.js";
import { PartitionConsumer } from "../consumer/partition-consumer.js";
import { partitionOf } from "../partition.js";
import { decodeResults, encodeBatch, type ItemResult, type WireBatch } from "./codec.js";
import { SenderWindows } from "./dedupe.js";
import { WindowsHandover } from "./handover.js";
import { RegionClosed } from "./errors.js";
import { regionGuardian, type GuardianCommand, type GuardianReply, type PartitionActorRef } from "./guardian.js";
import { resolveRegionOptions, type ResolvedRegionOptions, type ShardRegionOptions } from "./options.js";
import { PartitionOutbox, type OutboxRoute } from "./outbox.js";
import { RegionPartition } from "./partition.js";
import { EntityEnvelope, EntityShell } from "./entity.js";
import { KvSnapshotStore, type SnapshotStore } from "../snapshots/snapshot-store.js";
import { StallWatchdog, type PartitionStallStatus } from "../consumer/stall-watchdog.js";
import type { ConsumerStats } from "../consumer/partition-consumer.js";
import type { ActorRef } from "../../actor/types.js";
import type { PartitionHost, PartitionStopReason } from "../types.js";

export interface RegionStats {
  region: string;
  /** Partitions this region runs here, with their consumer progress when it has durable input. */
  partitions: { partition: number; state: string; duplicates: number; consumer?: ConsumerStats; stall?: PartitionStallStatus }[];
  /** Stalls the watchdog detected since the region started (absent: no watchdog). */
  stalls?: number;
  /** Messages held by this node's senders, waiting for an owner to take them. */
  held: number;
  /** Messages this node's senders sent more than once (the owner admits each once). */
  resent: number;
  /** Resends refused as duplicates by the partitions running here (since they started here). */
  duplicates: number;
}

/**
 * Sharded entities: `tell`/`ask` reach the entity for a key on whichever node owns
 * partitionOf(key), in process or over NATS, held and resent while the partition moves, admitted
 * once by the owner. As a PartitionHost it runs partitions the cluster gives this node: their
 * entities (`/user/region-<name>/p<partition>/<key>`), request subject and durable input.
 */
export class ShardRegion<M, L = unknown> implements PartitionHost, AsyncDisposable {
  readonly name: string;
  readonly #o: ResolvedRegionOptions<M, L>;
  readonly #clock: Clock;
  readonly #guardian: ActorRef<GuardianCommand<M, L>, GuardianReply<M, L>>;
  readonly #guardianName: string;
  readonly #handover: WindowsHandover;
  readonly #store: SnapshotStore | undefined;
  readonly #runners = new Map<number, RegionPartition<M, L>>();
  readonly #fences = new Map<number, { fenced: boolean }>();
  readonly #outboxes = new Map<number, PartitionOutbox<M>>();
  /** start/stop of one partition never overlap. */
  readonly #transitions = new Map<number, Promise<void>>();
  readonly #route: OutboxRoute<M>;
  readonly #unwatch: () => void;
  readonly #watchdog: StallWatchdog | undefined;
  #closed = false;

  private constructor(o: ResolvedRegionOptions<M, L>, windowsKv: KV, snapshotsKv: KV | undefined) {
    this.#o = o;
    this.name = o.name;
    this.#clock = o.system.clock ?? systemClock;
    this.#handover = new WindowsHandover(windowsKv, o.name);
    this.#store = snapshotsKv === undefined ? undefined : new KvSnapshotStore(snapshotsKv, o.name);
    this.#guardianName = `region-${o.name}`;
    this.#guardian = o.system.spawn(this.#guardianName, regionGuardian<M, L>(o.mailboxCapacity, o.entitySupervisor));
    const sender = `${o.ownership.nodeId}~${randomUUID().slice(0, 8)}`;
    this.#route = {
      region: o.name,
      sender,
      selfNode: o.ownership.nodeId,
      ownerOf: (p) => o.ownership.ownerOf(p),
      local: (p) => {
        const runner = this.#runners.get(p);
        return runner?.state === "running" ? runner : undefined;
      },
      request: (p, batch, timeoutMs) => this.#request(p, batch, timeoutMs),
      encode: (m) => o.codec.encode(m),
      requestTimeoutMs: o.requestTimeoutMs,
      maxBatch: o.maxBatch,
      window: o.window,
      retry: o.retry,
      now: () => this.#clock.now(),
    };
    this.#unwatch = o.ownership.onOwnerChange((p) => this.#outboxes.get(p)?.wake());
    this.#watchdog = this.#startWatchdog();
  }

  #startWatchdog(): StallWatchdog | undefined {
    const { stallWatch, input, nc, system } = this.#o;
    if (stallWatch === undefined || input === undefined) return undefined;
    let jsm: Promise<JetStreamManager> | undefined;
    const watchdog = new StallWatchdog({
      region: this.name,
      stream: input.stream,
      partitions: () => [...this.#runners].flatMap(([p, r]) => (r.state === "running" && r.consumer !== undefined ? [[p, r.consumer] as const] : [])),
      jsm: () => (jsm ??= jetstreamManager(nc)),
      clock: stallWatch.clock ?? this.#clock,
      stallAfterMs: stallWatch.stallAfterMs,
      ...(stallWatch.checkEveryMs !== undefined ? { checkEveryMs: stallWatch.checkEveryMs } : {}),
      ...(stallWatch.strategy !== undefined ? { strategy: stallWatch.strategy } : {}),
      emit: (event) => system.events?.emit(event),
      ...(stallWatch.onStall !== undefined ? { onStall: stallWatch.onStall } : {}),
    });
    watchdog.start();
    return watchdog;
  }

  /** Opens (creating if needed) the KV buckets and the region's actor; no partition runs until started. */
  static async start<M, L = unknown>(options: ShardRegionOptions<M, L>): Promise<ShardRegion<M, L>> {
    const o = resolveRegionOptions(options);
    const kvm = new Kvm(o.nc);
    const windowsKv = await kvm.create(o.dedupe.bucket, { history: 1 });
    const snapshotsKv = o.snapshots === undefined ? undefined : await kvm.create(o.snapshots.bucket, { history: 1 });
    return new ShardRegion(o, windowsKv, snapshotsKv);
  }

  partitionOf(key: string): number {
    return partitionOf(key, this.#o.ownership.partitionCount);
  }

  /** Resolves once the owner took the message (in its entity's mailbox); held while the partition moves. */
  async tell(key: string, message: M): Promise<void> {
    await this.#outbox(this.partitionOf(key)).send("tell", key, message, 0);
  }

  /** The entity's reply. Remote replies travel as JSON. Rejects with RegionAskTimeout after timeoutMs (held time included). */
  async ask<R = unknown>(key: string, message: M, timeoutMs = this.#o.askTimeoutMs): Promise<R> {
    return (await this.#outbox(this.partitionOf(key)).send("ask", key, message, timeoutMs)) as R;
  }

  startPartition(partition: number): Promise<void> {
    return this.#serially(partition, () => this.#start(partition));
  }

  stopPartition(partition: number, reason: PartitionStopReason): Promise<void> {
    return this.#serially(partition, () => this.#stop(partition, reason));
  }

  stats(): RegionStats {
    let held = 0;
    let resent = 0;
    for (const outbox of this.#outboxes.values()) {
      held += outbox.held;
      resent += outbox.resent;
    }
    const partitions = [...this.#runners].map(([partition, runner]) => {
      const row: RegionStats["partitions"][number] = { partition, state: runner.state, duplicates: runner.duplicates };
      const consumer = runner.consumerStats();
      if (consumer !== undefined) row.consumer = consumer;
      const stall = this.#watchdog?.status(partition);
      if (stall !== undefined) row.stall = stall;
      return row;
    });
    const duplicates = partitions.reduce((sum, row) => sum + row.duplicates, 0);
    const stats: RegionStats = { region: this.name, partitions, held, resent, duplicates };
    if (this.#watchdog !== undefined) stats.stalls = this.#watchdog.stalls;
    return stats;
  }

  /** Stops the partitions still running here (as a shutdown), fails held messages with RegionClosed. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch();
    this.#watchdog?.stop();
    await Promise.all([...this.#runners.keys()].map((p) => this.stopPartition(p, "shutdown")));
    for (const outbox of this.#outboxes.values()) outbox.close();
    await this.#o.system.stop(this.#guardianName, { drain: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #outbox(partition: number): PartitionOutbox<M> {
    if (this.#closed) throw new RegionClosed(this.name);
    let outbox = this.#outboxes.get(partition);
    if (outbox === undefined) {
      outbox = new PartitionOutbox(partition, this.#route);
      this.#outboxes.set(partition, outbox);
    }
    return outbox;
  }

  #serially(partition: number, step: () => Promise<void>): Promise<void> {
    const next = (this.#transitions.get(partition) ?? Promise.resolve()).then(step);
    const settled = next.catch(() => {});
    this.#transitions.set(partition, settled);
    void settled.then(() => {
      if (this.#transitions.get(partition) === settled) this.#transitions.delete(partition);
    });
    return next;
  }

  async #start(partition: number): Promise<void> {
    if (this.#closed) throw new RegionClosed(this.name);
    if (this.#runners.has(partition)) return;
    const o = this.#o;
    const windows = SenderWindows.from(await this.#handover.load(partition));
    const fence = { fenced: false };
    let runner: RegionPartition<M, L> | undefined;
    const consumer =
      o.input === undefined
        ? undefined
        : new PartitionConsumer<L>({
            ...o.input,
            nc: o.nc,
            durable: `${o.name}-p${partition}`,
            partition,
            deliver: (key, input) => runner!.deliverLog(key, new EntityEnvelope<M, L>({ type: "log", input })),
          });
    const policy = { everyMessages: o.snapshots?.everyMessages ?? 1, everyMs: o.snapshots?.everyMs ?? 1000 };
    const reply = await this.#guardian.ask({
      type: "start-partition",
      partition,
      entity: (key) => () => new EntityShell<M, L>({ key, entity: o.entity(key), store: this.#store, progress: consumer, policy, fence }),
    });
    if (!("ref" in reply)) throw new Error(`guardian of ${this.name} did not start partition ${partition}`);
    runner = new RegionPartition<M, L>({
      region: o.name,
      partition,
      nc: o.nc,
      subject: `${o.subjectPrefix}.${o.name}.${partition}`,
      partitionRef: reply.ref as PartitionActorRef<M, L>,
      windows,
      codec: o.codec,
      consumer,
      askReplyCache: 1024,
      now: () => this.#clock.now(),
    });
    this.#runners.set(partition, runner);
    this.#fences.set(partition, fence);
    try {
      await runner.start();
    } catch (err) {
      runner.abandon();
      this.#runners.delete(partition);
      await this.#stopPartitionActor(partition, false);
      throw err;
    }
    this.#outboxes.get(partition)?.wake();
  }

  async #stop(partition: number, reason: PartitionStopReason): Promise<void> {
    const runner = this.#runners.get(partition);
    if (runner === undefined) return;
    if (reason === "lease-lost") {
      // Another node may already run it: write nothing (no snapshots, acks or windows), just let go.
      this.#fences.get(partition)!.fenced = true;
      runner.abandon();
      await this.#stopPartitionActor(partition, false);
    } else {
      const windows = await runner.stop();
      await this.#stopPartitionActor(partition, false);
      await this.#handover.save(partition, windows.export(this.#clock.now(), this.#o.dedupe.retentionMs, this.#o.dedupe.maxSenders));
    }
    this.#runners.delete(partition);
    this.#fences.delete(partition);
    this.#outboxes.get(partition)?.wake();
  }

  async #stopPartitionActor(partition: number, drain: boolean): Promise<void> {
    const reply = await this.#guardian.ask({ type: "stop-partition", partition, drain });
    if ("stopped" in reply) await reply.stopped;
  }

  async #request(partition: number, batch: WireBatch, timeoutMs: number): Promise<ItemResult[]> {
    const reply = await this.#o.nc.request(`${this.#o.subjectPrefix}.${this.name}.${partition}`, encodeBatch(batch), { timeout: timeoutMs });
    return decodeResults(reply.data);
  }
}
