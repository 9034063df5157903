import { hostname } from "node:os";
import type { TimerHandle } from "../clock.js";
import { casBucketReplicas, clusterSize, replicasFor } from "../nats/cluster-size.js";
import { openTtlBucket } from "./buckets.js";
import { ClusterLifecycleError } from "./errors.js";
import { describeError, type ClusterEvent, type ClusterEventListener, type ClusterState } from "./events.js";
import { KvFollower } from "./kv-follower.js";
import { KvView } from "./kv-view.js";
import { LeaseKeeper } from "./lease-keeper.js";
import { decodeJson, isLeaseRecord, partitionOfLeaseKey, type LeaseRecord } from "./lease-record.js";
import { LeaseStore } from "./lease-store.js";
import { Membership, type MemberChange } from "./membership.js";
import { resolveOptions, type ClusterNodeOptions, type ResolvedOptions } from "./options.js";
import { planPartition, type LocalPhase } from "./rebalance.js";
import { clusterStatus, type ClusterStatus } from "./status.js";
import type { MemberInfo, NodeId, OwnershipView, PartitionStopReason } from "./types.js";

/** What this node is doing with one partition; absent = idle. */
interface Slot {
  phase: "acquiring" | "starting" | "running" | "stopping";
  tookOver: boolean;
  heldSince: number;
}

/**
 * One node of the cluster: heartbeats its membership, follows everyone's leases, and runs on its
 * PartitionHost exactly the partitions whose lease it holds. See README.md for the safety argument.
 */
export class ClusterNode implements OwnershipView, AsyncDisposable {
  readonly nodeId: NodeId;
  readonly partitionCount: number;
  readonly #o: ResolvedOptions;
  #state: ClusterState = "idle";
  readonly #listeners = new Set<ClusterEventListener>();
  readonly #ownerListeners = new Set<(partition: number, owner: NodeId | undefined) => void>();
  readonly #leases = new KvView<LeaseRecord>();
  readonly #lastEpoch = new Map<number, number>();
  readonly #freeSince = new Map<number, number>();
  readonly #slots = new Map<number, Slot>();
  readonly #ops = new Map<number, Promise<void>>();
  #membership: Membership | undefined;
  #keeper: LeaseKeeper | undefined;
  #follower: KvFollower | undefined;
  #tick: TimerHandle | undefined;
  #reconcileQueued = false;

  constructor(options: ClusterNodeOptions) {
    this.#o = resolveOptions(options);
    this.nodeId = this.#o.nodeId;
    this.partitionCount = this.#o.partitionCount;
    if (this.#o.onEvent) this.#listeners.add(this.#o.onEvent);
  }

  get state(): ClusterState {
    return this.#state;
  }

  onEvent(listener: ClusterEventListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  onOwnerChange(listener: (partition: number, owner: NodeId | undefined) => void): () => void {
    this.#ownerListeners.add(listener);
    return () => void this.#ownerListeners.delete(listener);
  }

  ownerOf(partition: number): NodeId | undefined {
    return this.#leases.get(`p${partition}`)?.value.owner;
  }

  ownedPartitions(): ReadonlySet<number> {
    return new Set([...this.#slots].filter(([, s]) => s.phase === "running").map(([p]) => p));
  }

  members(): MemberInfo[] {
    return this.#membership?.live() ?? [];
  }

  status(): ClusterStatus {
    return clusterStatus(this, this.#state, this.#membership?.ages() ?? new Map(), this.#eligible(), this.#o.placement);
  }

  async start(): Promise<void> {
    if (this.#state !== "idle") throw new ClusterLifecycleError(`start() in state ${this.#state}`);
    this.#setState("starting");
    try {
      await this.#open();
    } catch (err) {
      this.#keeper?.stop();
      this.#follower?.stop();
      await this.#membership?.stop(false).catch(() => {});
      this.#setState("failed");
      throw err;
    }
    this.#setState("running");
    this.#scheduleTick();
    this.#reconcile();
    void this.#o.nc.closed().then(() => this.#connectionClosed());
  }

  async #open(): Promise<void> {
    const o = this.#o;
    const [membersKv, leasesKv] = await Promise.all([
      openTtlBucket(o.nc, o.membersBucket, o.memberTtlMs, "memberTtlMs", replicasFor(clusterSize(o.nc))),
      // Leases rest on compare-and-set: R1 unless the server serialises replicated CAS.
      openTtlBucket(o.nc, o.leasesBucket, o.leaseTtlMs, "leaseTtlMs", casBucketReplicas(o.nc)),
    ]);
    const now = o.clock.now();
    for (let p = 0; p < this.partitionCount; p++) this.#freeSince.set(p, now);
    this.#keeper = new LeaseKeeper({
      store: new LeaseStore(leasesKv, o.renewEveryMs),
      nodeId: this.nodeId,
      clock: o.clock,
      leaseTtlMs: o.leaseTtlMs,
      renewEveryMs: o.renewEveryMs,
      safetyMarginMs: o.safetyMarginMs,
      onLost: (p, cause) => this.#onLeaseLost(p, cause),
      onError: (where, err) => this.#emit({ type: "error", where, error: describeError(err) }),
    });
    this.#follower = new KvFollower(leasesKv, {
      clock: o.clock,
      retryMs: o.heartbeatMs,
      onError: (err) => this.#emit({ type: "error", where: "lease watch", error: describeError(err) }),
      onChange: (c) => {
        const p = partitionOfLeaseKey(c.key);
        if (p === undefined || p >= this.partitionCount) return;
        const value = c.value === undefined ? undefined : decodeJson(c.value);
        if (value !== undefined && !isLeaseRecord(value)) return;
        this.#applyLease(p, value, c.revision);
      },
    });
    this.#membership = new Membership({
      kv: membersKv,
      self: { nodeId: this.nodeId, host: hostname(), pid: process.pid, roles: o.roles, startedAt: Date.now() },
      heartbeatMs: o.heartbeatMs,
      ttlMs: o.memberTtlMs,
      clock: o.clock,
      onChange: (c) => this.#onMemberChange(c),
      onError: (err) => this.#emit({ type: "error", where: "membership", error: describeError(err) }),
    });
    await this.#follower.start();
    await this.#membership.start();
    this.#keeper.start();
  }

  /** No connection means no renewals: stop everything now rather than wait for the deadlines. */
  async #connectionClosed(): Promise<void> {
    if (this.#state !== "running") return;
    this.#setState("leaving");
    this.#tick?.cancel();
    while (this.#ops.size > 0) await Promise.allSettled([...this.#ops.values()]);
    const running = [...this.#slots].filter(([, s]) => s.phase === "running").map(([p]) => p);
    for (const p of running) this.#emit({ type: "partition-lost", partition: p, cause: "NATS connection closed" });
    await Promise.allSettled(running.map((p) => this.#track(p, () => this.#stop(p, "lease-lost"))));
    this.#keeper?.stop();
    this.#follower?.stop();
    await this.#membership?.stop(false);
    this.#setState("stopped");
  }

  /** Graceful leave: stop every partition, delete its lease at once, delete our member key. */
  async leave(): Promise<void> {
    if (this.#state === "stopped" || this.#state === "leaving") return;
    if (this.#state !== "running") throw new ClusterLifecycleError(`leave() in state ${this.#state}`);
    this.#setState("leaving");
    this.#tick?.cancel();
    // Member key first: the others then stop counting us as a desired owner, so when our leases
    // are deleted just below they take them at once instead of waiting a takeover grace.
    try {
      await this.#membership?.stop(true);
    } catch (err) {
      this.#emit({ type: "error", where: "leave", error: describeError(err) });
    }
    while (this.#ops.size > 0) await Promise.allSettled([...this.#ops.values()]);
    const running = [...this.#slots].filter(([, s]) => s.phase === "running").map(([p]) => p);
    await Promise.allSettled(running.map((p) => this.#track(p, () => this.#stop(p, "shutdown"))));
    this.#keeper?.stop();
    this.#follower?.stop();
    this.#setState("stopped");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === "running") await this.leave();
  }

  #eligible(): NodeId[] {
    const role = this.#o.placementRole;
    return this.members()
      .filter((m) => role === undefined || m.roles.includes(role))
      .map((m) => m.nodeId);
  }

  #applyLease(partition: number, record: LeaseRecord | undefined, revision: number): void {
    if (record) this.#lastEpoch.set(partition, Math.max(this.#lastEpoch.get(partition) ?? 0, record.epoch));
    const change = this.#leases.apply(`p${partition}`, record, revision, this.#o.clock.now());
    if (!change) return;
    const before = change.previous?.owner;
    const after = change.kind === "set" ? change.value.owner : undefined;
    this.#ownerChanged(partition, before, after);
  }

  #ownerChanged(partition: number, before: NodeId | undefined, after: NodeId | undefined): void {
    if (after === undefined) this.#freeSince.set(partition, this.#o.clock.now());
    if (before === after) return;
    for (const l of this.#ownerListeners) l(partition, after);
    this.#queueReconcile();
  }

  #onMemberChange(c: MemberChange): void {
    this.#emit(c);
    this.#queueReconcile();
  }

  #scheduleTick(): void {
    this.#tick = this.#o.clock.setTimeout(() => {
      if (this.#state !== "running") return;
      for (const c of this.#leases.expire(this.#o.clock.now(), this.#o.leaseTtlMs)) {
        const p = partitionOfLeaseKey(c.key);
        if (p !== undefined && c.kind === "removed") this.#ownerChanged(p, c.previous.owner, undefined);
      }
      this.#reconcile();
      this.#scheduleTick();
    }, Math.min(this.#o.heartbeatMs, this.#o.renewEveryMs));
  }

  #queueReconcile(): void {
    if (this.#reconcileQueued) return;
    this.#reconcileQueued = true;
    queueMicrotask(() => {
      this.#reconcileQueued = false;
      this.#reconcile();
    });
  }

  #reconcile(): void {
    if (this.#state !== "running" || !this.#keeper) return;
    const now = this.#o.clock.now();
    const eligible = this.#eligible();
    for (let p = 0; p < this.partitionCount; p++) {
      if (this.#ops.has(p)) continue;
      const slot = this.#slots.get(p);
      const phase: LocalPhase = slot === undefined ? "idle" : slot.phase === "running" ? "running" : "busy";
      const holder = this.ownerOf(p);
      const action = planPartition(
        {
          partition: p,
          self: this.nodeId,
          eligible,
          phase,
          holder,
          freeForMs: holder === undefined ? now - (this.#freeSince.get(p) ?? now) : 0,
          heldForMs: slot ? now - slot.heldSince : 0,
          tookOver: slot?.tookOver ?? false,
        },
        { takeoverGraceMs: this.#o.takeoverGraceMs, takeoverHoldMs: this.#o.takeoverHoldMs },
        this.#o.placement,
      );
      if (action === "acquire") {
        const tookOver = this.#o.placement.ownerFor(p, eligible) !== this.nodeId;
        void this.#track(p, () => this.#acquire(p, tookOver));
      } else if (action === "handoff") {
        void this.#track(p, () => this.#stop(p, "handoff"));
      }
    }
  }

  /** Runs one operation on a partition; at most one at a time per partition. */
  #track(p: number, op: () => Promise<void>): Promise<void> {
    const run = op()
      .catch((err: unknown) => this.#emit({ type: "error", where: `partition ${p}`, error: describeError(err) }))
      .finally(() => {
        this.#ops.delete(p);
        this.#queueReconcile();
      });
    this.#ops.set(p, run);
    return run;
  }

  async #acquire(p: number, tookOver: boolean): Promise<void> {
    const keeper = this.#keeper!;
    this.#slots.set(p, { phase: "acquiring", tookOver, heldSince: this.#o.clock.now() });
    let held;
    try {
      held = await keeper.acquire(p, (this.#lastEpoch.get(p) ?? 0) + 1);
    } finally {
      if (!held) this.#slots.delete(p);
    }
    if (!held) return;
    this.#slots.set(p, { phase: "starting", tookOver, heldSince: this.#o.clock.now() });
    try {
      await this.#o.host.startPartition(p);
    } catch (err) {
      this.#emit({ type: "partition-start-failed", partition: p, error: describeError(err) });
      this.#slots.delete(p);
      await keeper.release(p);
      return;
    }
    this.#slots.set(p, { phase: "running", tookOver, heldSince: this.#slots.get(p)!.heldSince });
    this.#emit({ type: "partition-acquired", partition: p, epoch: held.record.epoch, revision: held.revision, tookOver });
    // The lease may have been lost while the host was starting; stop at once then.
    if (keeper.isLost(p)) await this.#stop(p, "lease-lost");
  }

  /** Stops the host's partition FIRST, then releases the lease (deleted only if still ours). */
  async #stop(p: number, reason: PartitionStopReason): Promise<void> {
    const slot = this.#slots.get(p);
    if (!slot || slot.phase !== "running") return;
    slot.phase = "stopping";
    try {
      await this.#o.host.stopPartition(p, reason);
    } catch (err) {
      this.#emit({ type: "error", where: `stopPartition ${p}`, error: describeError(err) });
    }
    this.#slots.delete(p);
    await this.#keeper!.release(p);
    if (reason !== "lease-lost") this.#emit({ type: "partition-released", partition: p, reason });
  }

  #onLeaseLost(p: number, cause: string): void {
    this.#emit({ type: "partition-lost", partition: p, cause });
    const slot = this.#slots.get(p);
    // running: stop now, even if another op (none can be: ops on a running slot are stops) is pending.
    if (slot?.phase === "running" && !this.#ops.has(p)) void this.#track(p, () => this.#stop(p, "lease-lost"));
    // starting: #acquire checks isLost after start; stopping: already stopping, release skips the delete.
  }

  #setState(state: ClusterState): void {
    this.#state = state;
    this.#emit({ type: "state", state });
  }

  #emit(event: ClusterEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not break lease handling.
      }
    }
  }
}
