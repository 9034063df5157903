import type { NodeId } from "../types.js";
import type { ItemKind, ItemResult, WireBatch, WireItem } from "./codec.js";
import { RegionAskTimeout, RegionClosed, RegionDeliveryFailed, errorText } from "./errors.js";
import { localOutcome, remoteOutcome, type Outcome } from "./outcome.js";
import type { Delivery, LocalItem } from "./codec.js";

/** What an outbox needs from its region. */
export interface OutboxRoute<M> {
  readonly region: string;
  /** This region instance's sender identity (node id + incarnation). */
  readonly sender: string;
  readonly selfNode: NodeId;
  ownerOf(partition: number): NodeId | undefined;
  /** The partition's runner when this node runs it and accepts messages. */
  local(partition: number): { deliver(sender: string, base: number, item: LocalItem<M>): Promise<Delivery> } | undefined;
  request(partition: number, batch: WireBatch, timeoutMs: number): Promise<ItemResult[]>;
  encode(message: M): Uint8Array;
  readonly requestTimeoutMs: number;
  readonly maxBatch: number;
  /** Remote requests in flight per partition. */
  readonly window: number;
  readonly retry: { minMs: number; maxMs: number };
  /** The region's clock (ms). */
  now(): number;
}

interface OutItem<M> extends LocalItem<M> {
  payload: Uint8Array | undefined;
  attempts: number;
  deadline: number;
  /** Taken by the owner (or given up): never sent again. */
  admitted: boolean;
  /** The caller's promise is settled. */
  answered: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The sender side of one partition: messages numbered 1, 2, 3, ... held in order until the
 * owner takes them. It delivers in process when this node owns the partition, else pipelines
 * batches to the owner's subject; on "not-owner", a gap, a timeout or no responders it stops,
 * lets what is in flight settle, and resends everything not taken, in order, when ownership
 * changes or after a backoff. The owner's admission (see region-dedupe) makes resends harmless.
 */
export class PartitionOutbox<M> {
  readonly #p: number;
  readonly #route: OutboxRoute<M>;
  #items: OutItem<M>[] = [];
  #head = 0;
  #cursor = 0;
  #nextSeq = 1;
  #pumping = false;
  #closed = false;
  #backoffMs: number;
  #wake: (() => void) | undefined;
  #resent = 0;

  constructor(partition: number, route: OutboxRoute<M>) {
    this.#p = partition;
    this.#route = route;
    this.#backoffMs = route.retry.minMs;
  }

  get held(): number {
    return this.#items.length - this.#head;
  }

  /** Messages sent again after a failed or unanswered attempt. */
  get resent(): number {
    return this.#resent;
  }

  send(kind: ItemKind, key: string, message: M, timeoutMs: number): Promise<unknown> {
    if (this.#closed) return Promise.reject(new RegionClosed(this.#route.region));
    return new Promise((resolve, reject) => {
      const item: OutItem<M> = {
        seq: this.#nextSeq++,
        key,
        kind,
        message,
        payload: undefined,
        attempts: 0,
        deadline: kind === "ask" ? this.#route.now() + timeoutMs : Infinity,
        admitted: false,
        answered: false,
        resolve,
        reject,
        timer: undefined,
      };
      if (kind === "ask") {
        item.timer = setTimeout(() => {
          // The ask may still be taken later; its answer is then dropped, like a local AskTimeout.
          item.admitted = true;
          this.#answer(item, undefined, new RegionAskTimeout(this.#route.region, key, timeoutMs));
        }, timeoutMs);
      }
      this.#items.push(item);
      this.wake();
      if (!this.#pumping) void this.#pump();
    });
  }

  /** Ownership changed or more work arrived: retry now instead of after the backoff. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  close(): void {
    this.#closed = true;
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i]!;
      item.admitted = true;
      this.#answer(item, undefined, new RegionClosed(this.#route.region));
    }
    this.#items = [];
    this.#head = this.#cursor = 0;
    this.wake();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (!this.#closed) {
        this.#skipAdmitted();
        if (this.#head >= this.#items.length) break;
        const owner = this.#route.ownerOf(this.#p);
        let progressed = false;
        if (owner === this.#route.selfNode) {
          const local = this.#route.local(this.#p);
          if (local !== undefined) progressed = await this.#sendLocal(local);
        } else if (owner !== undefined) {
          progressed = await this.#sendRemote(owner);
        }
        if (progressed) {
          this.#backoffMs = this.#route.retry.minMs;
          continue;
        }
        await this.#sleep(this.#backoffMs);
        this.#backoffMs = Math.min(this.#backoffMs * 2, this.#route.retry.maxMs);
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #sendLocal(local: NonNullable<ReturnType<OutboxRoute<M>["local"]>>): Promise<boolean> {
    for (this.#cursor = this.#head; this.#cursor < this.#items.length; this.#cursor++) {
      const item = this.#items[this.#cursor]!;
      if (item.admitted) continue;
      if (item.attempts++ > 0) this.#resent++;
      const delivery = await local.deliver(this.#route.sender, this.#base(), { seq: item.seq, key: item.key, kind: item.kind, message: item.message });
      if (!this.#settle(item, localOutcome(this.#route.region, item, delivery))) return false;
      this.#skipAdmitted();
    }
    return true;
  }

  async #sendRemote(owner: NodeId): Promise<boolean> {
    const inflight = new Set<Promise<void>>();
    let failed = false;
    this.#cursor = this.#head;
    while (!failed && !this.#closed && this.#route.ownerOf(this.#p) === owner) {
      const batch = inflight.size < this.#route.window ? this.#nextBatch() : [];
      if (batch.length === 0) {
        if (inflight.size === 0 && this.#cursor >= this.#items.length) break;
        // Wait for a reply or for new messages, whichever comes first.
        await Promise.race([...inflight, new Promise<void>((resolve) => (this.#wake = resolve))]);
        continue;
      }
      const sent: Promise<void> = this.#sendBatch(batch).then((ok) => {
        if (!ok) failed = true;
        inflight.delete(sent);
      });
      inflight.add(sent);
    }
    await Promise.all(inflight);
    return !failed;
  }

  #nextBatch(): OutItem<M>[] {
    const batch: OutItem<M>[] = [];
    while (this.#cursor < this.#items.length && batch.length < this.#route.maxBatch) {
      const item = this.#items[this.#cursor]!;
      if (item.admitted) {
        this.#cursor++;
        continue;
      }
      // An ask travels alone: its reply waits for the entity, tells need not.
      if (item.kind === "ask" && batch.length > 0) break;
      if (item.payload === undefined) {
        try {
          item.payload = this.#route.encode(item.message);
        } catch (err) {
          item.admitted = true;
          this.#answer(item, undefined, new RegionDeliveryFailed(this.#route.region, item.key, `encode: ${errorText(err)}`, { cause: err }));
          this.#cursor++;
          continue;
        }
      }
      if (item.attempts++ > 0) this.#resent++;
      batch.push(item);
      this.#cursor++;
      if (item.kind === "ask") break;
    }
    return batch;
  }

  async #sendBatch(batch: OutItem<M>[]): Promise<boolean> {
    const items: WireItem[] = batch.map((it) => ({ seq: it.seq, key: it.key, kind: it.kind, payload: it.payload! }));
    const first = batch[0]!;
    const timeoutMs = first.kind === "ask" ? Math.max(1, first.deadline - this.#route.now()) : this.#route.requestTimeoutMs;
    let results: ItemResult[];
    try {
      results = await this.#route.request(this.#p, { sender: this.#route.sender, base: this.#base(), items }, timeoutMs);
    } catch {
      return false; // timeout, no responders, connection trouble: resend later
    }
    let ok = true;
    batch.forEach((item, i) => {
      if (!this.#settle(item, remoteOutcome(this.#route.region, item, results[i] ?? { k: "gap" }))) ok = false;
    });
    this.#skipAdmitted();
    return ok;
  }

  /** Applies an owner's answer; returns whether the item is settled (taken, refused, or given up). */
  #settle(item: OutItem<M>, outcome: Outcome): boolean {
    if (!outcome.taken) return item.admitted; // an ask that timed out meanwhile stays given up
    item.admitted = true;
    if (outcome.reply === undefined) this.#answer(item, outcome.value, outcome.error);
    else outcome.reply.then((v) => this.#answer(item, v, undefined), (e: unknown) => this.#answer(item, undefined, e));
    return true;
  }

  #answer(item: OutItem<M>, value: unknown, error: unknown): void {
    if (item.answered) return;
    item.answered = true;
    if (item.timer !== undefined) clearTimeout(item.timer);
    item.message = undefined as M; // let the payload go once answered
    item.payload = undefined;
    if (error === undefined) item.resolve(value);
    else item.reject(error);
  }

  /** Lowest sequence not yet taken: the owner may accept it even without a window for us. */
  #base(): number {
    this.#skipAdmitted();
    return this.#items[this.#head]?.seq ?? this.#nextSeq;
  }

  #skipAdmitted(): void {
    while (this.#head < this.#items.length && this.#items[this.#head]!.admitted) this.#head++;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#cursor = Math.max(0, this.#cursor - this.#head);
      this.#head = 0;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
