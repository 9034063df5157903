import type { Clock, TimerHandle } from "../../clock.js";
import { sameLease, type LeaseRecord } from "./lease-record.js";
import type { LeaseOps } from "./lease-store.js";
import type { NodeId } from "../types.js";

/** A lease this node holds. `renewedAt` is when the last confirmed write was SENT (local clock). */
interface Held {
  partition: number;
  record: LeaseRecord;
  revision: number;
  renewedAt: number;
  lost: boolean;
  releasing: boolean;
  inflight: Promise<void> | undefined;
  deadline: TimerHandle | undefined;
}

export interface LeaseKeeperOptions {
  store: LeaseOps;
  nodeId: NodeId;
  clock: Clock;
  leaseTtlMs: number;
  renewEveryMs: number;
  safetyMarginMs: number;
  /** Called once when a held lease can no longer be trusted; the caller must stop the partition now. */
  onLost: (partition: number, cause: string) => void;
  onError: (where: string, err: unknown) => void;
}

/**
 * Holds this node's leases: acquires by CAS, renews every `renewEveryMs` by CAS on the revision
 * it last wrote, and declares a lease lost on a CAS conflict or when no renewal has been
 * confirmed for leaseTtl − safetyMargin. Why the send time: the server stamps the write after we
 * send it, so the lease cannot expire before sendTime + leaseTtl; stopping by
 * sendTime + leaseTtl − margin keeps us strictly inside the lease.
 */
export class LeaseKeeper {
  readonly #o: LeaseKeeperOptions;
  readonly #held = new Map<number, Held>();
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: LeaseKeeperOptions) {
    this.#o = options;
  }

  start(): void {
    this.#schedule();
  }

  /** Stops renewing everything (after leave has released what it could). */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    for (const h of this.#held.values()) h.deadline?.cancel();
  }

  holds(partition: number): boolean {
    const h = this.#held.get(partition);
    return h !== undefined && !h.lost;
  }

  isLost(partition: number): boolean {
    return this.#held.get(partition)?.lost ?? false;
  }

  /** Tries to take the lease; the held record, or undefined when another node has it. */
  async acquire(partition: number, epoch: number): Promise<{ record: LeaseRecord; revision: number } | undefined> {
    const sentAt = this.#o.clock.now();
    const record: LeaseRecord = { owner: this.#o.nodeId, epoch, acquiredAt: sentAt };
    let revision: number | undefined;
    try {
      revision = await this.#o.store.acquire(partition, record);
    } catch (err) {
      // The create may have landed with its reply lost: if the key carries exactly our record,
      // it is ours, written after sentAt, so the same deadline arithmetic holds.
      const current = await this.#o.store.read(partition).catch(() => undefined);
      if (!current || !sameLease(current.record, record)) throw err;
      revision = current.revision;
    }
    if (revision === undefined) return undefined;
    const h: Held = { partition, record, revision, renewedAt: sentAt, lost: false, releasing: false, inflight: undefined, deadline: undefined };
    this.#held.set(partition, h);
    this.#armDeadline(h);
    return { record, revision };
  }

  /** Stops renewing, waits for a renewal in flight, then deletes the lease at its revision (unless lost). */
  async release(partition: number): Promise<void> {
    const h = this.#held.get(partition);
    if (!h) return;
    h.releasing = true;
    await h.inflight;
    h.deadline?.cancel();
    this.#held.delete(partition);
    if (h.lost) return this.#releaseIfStillOurs(h);
    const ok = await this.#o.store.release(partition, h.revision);
    if (!ok) await this.#releaseIfStillOurs(h);
  }

  /** After a loss and a completed stop: delete the key if it still holds our very record, so others need not wait for expiry. */
  async #releaseIfStillOurs(h: Held): Promise<void> {
    const current = await this.#o.store.read(h.partition);
    if (current && sameLease(current.record, h.record)) {
      await this.#o.store.release(h.partition, current.revision);
    }
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.renewAll();
      this.#schedule();
    }, this.#o.renewEveryMs);
  }

  /** One renewal round; exposed so tests with a manual clock can drive it. */
  renewAll(): void {
    for (const h of this.#held.values()) {
      if (h.lost || h.releasing || h.inflight) continue;
      h.inflight = this.#renew(h).finally(() => {
        h.inflight = undefined;
      });
    }
  }

  async #renew(h: Held, mayAdopt = true): Promise<void> {
    const sentAt = this.#o.clock.now();
    try {
      const result = await this.#o.store.renew(h.partition, h.record, h.revision);
      if (h.lost) return; // too late: the partition is already being stopped.
      if (result !== "conflict") {
        h.revision = result;
        h.renewedAt = sentAt;
        this.#armDeadline(h);
        return;
      }
      // A conflict can be our own earlier write whose reply was lost: the very same record.
      const current = await this.#o.store.read(h.partition);
      if (h.lost) return;
      if (mayAdopt && current && sameLease(current.record, h.record)) {
        // renewedAt stays (we do not know when that write landed); renew again at once from it.
        h.revision = current.revision;
        return await this.#renew(h, false);
      }
      this.#lose(h, current ? `lease taken by ${current.record.owner} (epoch ${current.record.epoch})` : "lease expired or deleted");
    } catch (err) {
      this.#o.onError(`renew p${h.partition}`, err); // the deadline decides; the next round retries.
    }
  }

  #armDeadline(h: Held): void {
    h.deadline?.cancel();
    const at = h.renewedAt + this.#o.leaseTtlMs - this.#o.safetyMarginMs;
    h.deadline = this.#o.clock.setTimeout(() => {
      if (!h.lost && this.#held.get(h.partition) === h) {
        this.#lose(h, `no renewal confirmed for ${this.#o.clock.now() - h.renewedAt} ms (lease TTL ${this.#o.leaseTtlMs} ms)`);
      }
    }, Math.max(0, at - this.#o.clock.now()));
  }

  #lose(h: Held, cause: string): void {
    if (h.lost) return;
    h.lost = true;
    h.deadline?.cancel();
    this.#o.onLost(h.partition, cause);
  }
}
