import { hostname } from "node:os";
import type { TimerHandle } from "../clock.js";
import { casBucketReplicas, clusterSize, replicasFor } from "../nats/cluster-size.js";
import { openTtlBucket } from "./buckets.js";
import { ClusterLifecycleError } from "./errors.js";
import { describeError, type ClusterEvent, type ClusterEventListener, type ClusterState } from "./events.js";
import { KvFollower } from "./membership/kv-follower.js";
import { KvView } from "./membership/kv-view.js";
import { LeaseKeeper } from "./leases/lease-keeper.js";
import { decodeJson, isLeaseRecord, partitionOfLeaseKey, type LeaseRecord } from "./leases/lease-record.js";
import { LeaseStore } from "./leases/lease-store.js";
import { Membership, type MemberChange } from "./membership/membership.js";
import { resolveOptions, type ClusterNodeOptions, type ResolvedOptions } from "./options.js";
import { planPartition, type LocalPhase } from "./leases/rebalance.js";
import { clusterStatus, type ClusterStatus } from "./status.js";
import { PartitionRunner } from "./leases/partition-runner.js";
import type { MemberInfo, NodeId, OwnershipView } from "./types.js";

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
  #runner: PartitionRunner | undefined;
  #membership: Membership | undefined;
  #keeper: LeaseKeeper | undefined;
  #follower: KvFollower | undefined;
  #tick: TimerHandle | undefined;
  #reconcileQueued = false;
  #opening: Promise<void> | undefined;
  /** The leave or connection-loss shutdown under way, so a second caller waits for the same one. */
  #stopping: Promise<void> | undefined;

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
    return new Set(this.#runner?.running() ?? []);
  }

  /**
   * The lease under which this node runs `partition` (undefined unless running): `revision` is the
   * KV revision of the acquisition, strictly increasing across owners — a fencing token for
   * downstream writes.
   */
  leaseOf(partition: number): { epoch: number; revision: number } | undefined {
    const slot = this.#runner?.slot(partition);
    return slot?.phase === "running" ? slot.lease : undefined;
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
      this.#opening = this.#open();
      await this.#opening;
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
      onLost: (p, cause) => this.#runner?.leaseLost(p, cause),
      onError: (where, err) => this.#emit({ type: "error", where, error: describeError(err) }),
    });
    this.#runner = new PartitionRunner({
      host: o.host,
      keeper: this.#keeper,
      clock: o.clock,
      startBackoffMs: o.takeoverGraceMs,
      maxStartBackoffMs: 60_000,
      emit: (e) => this.#emit(e),
      onSettled: () => this.#queueReconcile(),
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
      self: { nodeId: this.nodeId, host: hostname(), pid: process.pid, roles: o.roles, startedAt: o.clock.now() },
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
  #connectionClosed(): void {
    if (this.#state !== "running") return;
    this.#stopping = this.#shutdown(async (runner) => {
      const running = runner.running();
      for (const p of running) this.#emit({ type: "partition-lost", partition: p, cause: "NATS connection closed" });
      await Promise.allSettled(running.map((p) => runner.stop(p, "lease-lost")));
      await this.#membership?.stop(false);
    });
  }

  /** Graceful leave: stop every partition, delete its lease at once, delete our member key. */
  async leave(): Promise<void> {
    if (this.#state === "starting") await this.#opening?.catch(() => {}); // a shutdown during start
    if (this.#stopping) return this.#stopping;
    if (this.#state === "stopped" || this.#state === "failed") return;
    if (this.#state !== "running") throw new ClusterLifecycleError(`leave() in state ${this.#state}`);
    this.#stopping = this.#shutdown(async (runner) => {
      // Member key first: the others then stop counting us as a desired owner, so when our leases
      // are deleted just below they take them at once instead of waiting a takeover grace.
      try {
        await this.#membership?.stop(true);
      } catch (err) {
        this.#emit({ type: "error", where: "leave", error: describeError(err) });
      }
      await Promise.allSettled(runner.running().map((p) => runner.stop(p, "shutdown")));
    });
    return this.#stopping;
  }

  /** leaving → (stop planning, let operations finish, `body`) → stopped. */
  async #shutdown(body: (runner: PartitionRunner) => Promise<void>): Promise<void> {
    this.#setState("leaving");
    this.#tick?.cancel();
    const runner = this.#runner!;
    await runner.settle();
    await body(runner);
    this.#keeper?.stop();
    this.#follower?.stop();
    this.#setState("stopped");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#state === "running" || this.#state === "starting") await this.leave();
  }

  #eligible(): NodeId[] {
    const roles = this.#o.placementRole;
    return this.members()
      .filter((m) => roles === undefined || roles.some((r) => m.roles.includes(r)))
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
      this.#membership?.sweep();
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
    const runner = this.#runner;
    if (this.#state !== "running" || !runner) return;
    const now = this.#o.clock.now();
    const eligible = this.#eligible();
    for (let p = 0; p < this.partitionCount; p++) {
      if (runner.busy(p)) continue;
      const slot = runner.slot(p);
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
        void runner.acquire(p, (this.#lastEpoch.get(p) ?? 0) + 1, tookOver);
      } else if (action === "handoff") {
        void runner.stop(p, "handoff");
      }
    }
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
