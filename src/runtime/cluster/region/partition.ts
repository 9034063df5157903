import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { ActorRef } from "../../actor/types.js";
import { ActorStopped } from "../../actor/errors.js";
import type { ConsumerStats, PartitionConsumer } from "../consumer/partition-consumer.js";
import type { Codec, Delivery, LocalItem } from "./codec.js";
import { serveRequests } from "./requests.js";
import type { SenderWindows } from "./dedupe.js";
import { errorText } from "./errors.js";
import type { PartitionCommand } from "./partition-actor.js";
import { EntityEnvelope, type Deferred, type ShellMessage } from "./entity.js";

export type RunnerState = "starting" | "running" | "stopping" | "stopped";

export interface RegionPartitionOptions<M, L> {
  region: string;
  partition: number;
  nc: NatsConnection;
  subject: string;
  partitionRef: ActorRef<PartitionCommand, ActorRef<ShellMessage<M, L>> | undefined>;
  windows: SenderWindows;
  codec: Codec<M>;
  consumer: PartitionConsumer<L> | undefined;
  /** Replies kept for asks whose answer may be asked for again by a resend. */
  askReplyCache: number;
  now(): number;
}

/**
 * The owner side of one partition on this node: admits sequenced messages (in process or from
 * the partition's NATS subject, which only the owner subscribes to), creates entities on demand,
 * and runs the partition's durable consumer. `stop` refuses new messages ("not-owner"), lets the
 * admitted ones and the last fetch land, drains every entity (final snapshots), acks, and returns
 * the sender windows to hand over.
 */
export class RegionPartition<M, L> {
  readonly #o: RegionPartitionOptions<M, L>;
  readonly #refs = new Map<string, ActorRef<ShellMessage<M, L>>>();
  readonly #creating = new Map<string, Promise<ActorRef<ShellMessage<M, L>>>>();
  readonly #askReplies = new Map<string, Promise<unknown>>();
  readonly #inDelivery = new Set<Promise<unknown>>();
  #state: RunnerState = "starting";
  #duplicates = 0;
  #sub: Subscription | undefined;
  #serving: Promise<void> | undefined;

  constructor(options: RegionPartitionOptions<M, L>) {
    this.#o = options;
  }

  get state(): RunnerState {
    return this.#state;
  }

  /** Resent messages this owner had already taken, and refused to deliver again. */
  get duplicates(): number {
    return this.#duplicates;
  }

  consumerStats(): ConsumerStats | undefined {
    return this.#o.consumer?.stats;
  }

  /** The partition's durable input, if the region has one. */
  get consumer(): PartitionConsumer<L> | undefined {
    return this.#o.consumer;
  }

  /** Subscribes to the partition subject and starts the durable consumer. */
  async start(): Promise<void> {
    // The consumer first: if it cannot start, no sender has been told "taken" yet.
    await this.#o.consumer?.start();
    this.#sub = this.#o.nc.subscribe(this.#o.subject);
    this.#serving = serveRequests(this.#sub, this.#o.codec, this);
    // The subscription must be known to the server before anyone is told we own the partition.
    await this.#o.nc.flush();
    if (this.#state === "starting") this.#state = "running";
  }

  deliver(sender: string, base: number, item: LocalItem<M>): Promise<Delivery> {
    if (this.#state !== "running") return Promise.resolve({ k: "not-owner" });
    const delivery = this.#deliver(sender, base, item);
    this.#inDelivery.add(delivery);
    void delivery.finally(() => this.#inDelivery.delete(delivery));
    return delivery;
  }

  /** Delivers log input from the consumer (not sequenced: the consumer dedupes by stream seq). */
  async deliverLog(key: string, envelope: EntityEnvelope<M, L>): Promise<void> {
    await this.#tell(key, envelope);
  }

  async stop(): Promise<SenderWindows> {
    this.#state = "stopping";
    await Promise.allSettled([...this.#inDelivery]);
    await this.#o.consumer?.stopFetching();
    await this.#o.partitionRef.ask({ type: "drain" }, { timeoutMs: 120_000 });
    await this.#o.consumer?.flush();
    this.#sub?.unsubscribe();
    await this.#serving;
    this.#state = "stopped";
    return this.#o.windows;
  }

  /** Abrupt end (lease lost, connection gone): nothing is drained or acked; the next owner replays. */
  abandon(): void {
    this.#state = "stopped";
    this.#sub?.unsubscribe();
    void this.#o.consumer?.fence();
  }

  async #deliver(sender: string, base: number, item: LocalItem<M>): Promise<Delivery> {
    const windows = this.#o.windows;
    switch (windows.admit(sender, base, item.seq)) {
      case "duplicate": {
        this.#duplicates++;
        if (item.kind === "tell") return { k: "duplicate" };
        const reply = this.#askReplies.get(`${sender}#${item.seq}`);
        return reply === undefined ? { k: "dup-unknown" } : { k: "duplicate", reply };
      }
      case "gap":
        return { k: "gap" };
      case "accept":
        break;
    }
    try {
      if (item.kind === "tell") {
        await this.#tell(item.key, new EntityEnvelope<M, L>({ type: "message", message: item.message, from: { sender, seq: item.seq } }));
        windows.commit(sender, item.seq, this.#o.now());
        return { k: "accepted" };
      }
      let deferred!: Deferred<unknown>;
      const reply = new Promise<unknown>((resolve, reject) => (deferred = { resolve, reject }));
      reply.catch(() => {}); // the sender may have given up; never an unhandled rejection
      await this.#tell(item.key, new EntityEnvelope<M, L>({ type: "message", message: item.message, reply: deferred, from: { sender, seq: item.seq } }));
      windows.commit(sender, item.seq, this.#o.now());
      this.#rememberReply(`${sender}#${item.seq}`, reply);
      return { k: "accepted", reply };
    } catch (err) {
      // Stopped underneath us (lease lost): not taken, so the sender tries the next owner.
      if (this.#state !== "running") return { k: "not-owner" };
      return { k: "failed", e: errorText(err) };
    }
  }

  #rememberReply(id: string, reply: Promise<unknown>): void {
    this.#askReplies.set(id, reply);
    if (this.#askReplies.size > this.#o.askReplyCache) {
      const oldest = this.#askReplies.keys().next().value;
      if (oldest !== undefined) this.#askReplies.delete(oldest);
    }
  }

  /** Enqueues into the entity's mailbox (waiting while it is full); respawns an entity that stopped. */
  async #tell(key: string, envelope: EntityEnvelope<M, L>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const ref = await this.#entity(key);
      try {
        await ref.tell(envelope);
        return;
      } catch (err) {
        if (!(err instanceof ActorStopped) || attempt >= 2) throw err;
        if (this.#refs.get(key) === ref) this.#refs.delete(key);
      }
    }
  }

  #entity(key: string): Promise<ActorRef<ShellMessage<M, L>>> | ActorRef<ShellMessage<M, L>> {
    const cached = this.#refs.get(key);
    if (cached?.isAlive) return cached;
    let creating = this.#creating.get(key);
    if (creating === undefined) {
      creating = this.#o.partitionRef.ask({ type: "entity", key }).then((ref) => {
        if (ref === undefined) throw new Error(`partition ${this.#o.partition} returned no entity for ${key}`);
        this.#refs.set(key, ref);
        return ref;
      });
      const done = (): void => void this.#creating.delete(key);
      creating.then(done, done);
      this.#creating.set(key, creating);
    }
    return creating;
  }
}
