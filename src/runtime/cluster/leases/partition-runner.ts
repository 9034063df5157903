import type { Clock } from "../../clock.js";
import { describeError, type ClusterEvent } from "../events.js";
import type { LeaseKeeper } from "./lease-keeper.js";
import type { PartitionHost, PartitionStopReason } from "../types.js";

/** What this node is doing with one partition; absent = idle. */
export interface Slot {
  phase: "acquiring" | "starting" | "running" | "stopping";
  tookOver: boolean;
  heldSince: number;
  /** Set once acquired: the lease's epoch and the KV revision of the acquisition (a strictly increasing fencing token). */
  lease?: { epoch: number; revision: number };
}

export interface PartitionRunnerOptions {
  host: PartitionHost;
  keeper: LeaseKeeper;
  clock: Clock;
  /** First wait after a failed start; doubles per consecutive failure, up to maxStartBackoffMs. */
  startBackoffMs: number;
  maxStartBackoffMs: number;
  emit: (event: ClusterEvent) => void;
  /** Something finished: the caller re-plans. */
  onSettled: () => void;
}

/**
 * Runs the partitions this node holds, one operation at a time per partition, always in the safe
 * order: lease acquired → host started; host stopped → lease released.
 */
export class PartitionRunner {
  readonly #o: PartitionRunnerOptions;
  readonly #slots = new Map<number, Slot>();
  readonly #ops = new Map<number, Promise<void>>();
  readonly #failures = new Map<number, { count: number; until: number }>();

  constructor(options: PartitionRunnerOptions) {
    this.#o = options;
  }

  slot(p: number): Slot | undefined {
    return this.#slots.get(p);
  }

  /** An operation is under way, or a failed start is backing off. */
  busy(p: number): boolean {
    return this.#ops.has(p) || (this.#failures.get(p)?.until ?? 0) > this.#o.clock.now();
  }

  running(): number[] {
    return [...this.#slots].filter(([, s]) => s.phase === "running").map(([p]) => p);
  }

  acquire(p: number, epoch: number, tookOver: boolean): Promise<void> {
    return this.#track(p, () => this.#acquire(p, epoch, tookOver));
  }

  stop(p: number, reason: PartitionStopReason): Promise<void> {
    return this.#track(p, () => this.#stop(p, reason));
  }

  /** Waits until no operation is under way (new ones may not start meanwhile: the caller stopped planning). */
  async settle(): Promise<void> {
    while (this.#ops.size > 0) await Promise.allSettled([...this.#ops.values()]);
  }

  /** Called by the LeaseKeeper: the lease can no longer be trusted, stop now. */
  leaseLost(p: number, cause: string): void {
    this.#o.emit({ type: "partition-lost", partition: p, cause });
    // Only "running" needs action here: a starting partition is checked right after its start,
    // and a stopping one is already stopping (its release then skips the delete).
    if (this.#slots.get(p)?.phase === "running" && !this.#ops.has(p)) void this.stop(p, "lease-lost");
  }

  #track(p: number, op: () => Promise<void>): Promise<void> {
    const run = op()
      .catch((err: unknown) => this.#o.emit({ type: "error", where: `partition ${p}`, error: describeError(err) }))
      .finally(() => {
        this.#ops.delete(p);
        this.#o.onSettled();
      });
    this.#ops.set(p, run);
    return run;
  }

  async #acquire(p: number, epoch: number, tookOver: boolean): Promise<void> {
    const { keeper, clock } = this.#o;
    this.#slots.set(p, { phase: "acquiring", tookOver, heldSince: clock.now() });
    let held;
    try {
      held = await keeper.acquire(p, epoch);
    } finally {
      if (!held) this.#slots.delete(p);
    }
    if (!held) return;
    const heldSince = clock.now();
    const lease = { epoch: held.record.epoch, revision: held.revision };
    this.#slots.set(p, { phase: "starting", tookOver, heldSince, lease });
    try {
      await this.#o.host.startPartition(p);
    } catch (err) {
      this.#slots.delete(p);
      this.#backOff(p);
      this.#o.emit({ type: "partition-start-failed", partition: p, error: describeError(err) });
      await keeper.release(p);
      return;
    }
    this.#failures.delete(p);
    this.#slots.set(p, { phase: "running", tookOver, heldSince, lease });
    this.#o.emit({ type: "partition-acquired", partition: p, epoch: held.record.epoch, revision: held.revision, tookOver });
    // The lease may have been lost while the host was starting: stop at once then.
    if (keeper.isLost(p)) await this.#stop(p, "lease-lost");
  }

  async #stop(p: number, reason: PartitionStopReason): Promise<void> {
    const slot = this.#slots.get(p);
    if (!slot || slot.phase !== "running") return;
    slot.phase = "stopping";
    try {
      await this.#o.host.stopPartition(p, reason);
    } catch (err) {
      this.#o.emit({ type: "error", where: `stopPartition ${p}`, error: describeError(err) });
    }
    this.#slots.delete(p);
    await this.#o.keeper.release(p);
    if (reason !== "lease-lost") this.#o.emit({ type: "partition-released", partition: p, reason });
  }

  /** A host that cannot start a partition must not spin on it: wait, doubling, so another node may try. */
  #backOff(p: number): void {
    const count = (this.#failures.get(p)?.count ?? 0) + 1;
    const wait = Math.min(this.#o.startBackoffMs * 2 ** (count - 1), this.#o.maxStartBackoffMs);
    this.#failures.set(p, { count, until: this.#o.clock.now() + wait });
  }
}
