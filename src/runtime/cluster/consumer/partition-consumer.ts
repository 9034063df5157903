import type { NatsConnection } from "@nats-io/nats-core";
import type { Consumer, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { AckFrontier } from "./progress.js";
import { FetchDeadline } from "./fetch-deadline.js";
import { DeliveryOrder } from "../../nats/delivery-order.js";
import { partitionConsumerConfig, recreateAtFloor } from "./setup.js";
import type { Codec } from "../region/codec.js";
import { LogInput, type LogProgress } from "../region/entity.js";

export interface PartitionConsumerOptions<L> {
  nc: NatsConnection;
  stream: string;
  /** Messages live on `<subjectPrefix>.<partition>.<entity key>`. */
  subjectPrefix: string;
  /** Durable name, e.g. `<region>-p<partition>`. */
  durable: string;
  partition: number;
  codec: Codec<L>;
  /** Log messages handed to mailboxes and not yet handled, at most (what fetch sizes follow). */
  maxInFlight: number;
  maxAckPending: number;
  ackWaitMs: number;
  /** How long one pull request waits on the server (nats.js minimum 1000 ms). Stop waits for it. */
  fetchExpiresMs: number;
  maxBatch: number;
  /** Hands a log message to its entity; resolves once enqueued (waits on a full mailbox). */
  deliver(key: string, input: LogInput<L>): Promise<void>;
  /** A message that cannot be decoded is acknowledged and reported here, never silently dropped. */
  onUndecodable(subject: string, seq: number, error: unknown): void;
  /**
   * A message that feeds several entities: its parts, one per entity key (keys distinct), or
   * undefined when the subject's last token is the one entity's key (decoded with `codec`).
   * Throws for a message it cannot decode.
   */
  fanOut?(subject: string, data: Uint8Array): ReadonlyArray<readonly [string, L]> | undefined;
}

export interface ConsumerStats {
  /** Delivered here and not yet durable (acked once its entity's snapshot covers it). */
  pending: number;
  /** Still in the stream for this consumer, not delivered yet, as of the last delivery (the server's num_pending). */
  backlog: number;
  unhandled: number;
  floor: number;
  fetches: number;
  /** Restarts by the stall watchdog (absent: none recorded). */
  restarts?: number;
}

export class PartitionConsumerFailed extends Error {
  readonly retryable = true;
  constructor(durable: string, options?: ErrorOptions) {
    super(`durable consumer ${durable} could not be set up`, options);
    this.name = "PartitionConsumerFailed";
  }
}

interface Pending<L> {
  input: LogInput<L>;
  msg: JsMsg;
  /** Which incarnation of the durable delivered `msg` (see #ackNow). */
  incarnation: number;
}

type ConsumerState = "idle" | "running" | "stopping" | "stopped";

/**
 * Durable input for one partition: a JetStream pull consumer (one filter subject, AckPolicy.All)
 * whose fetches are sized by free mailbox room, so memory stays bounded under any backlog.
 * Acks follow durable progress (see AckFrontier); one ack covers the whole done prefix.
 */
export class PartitionConsumer<L> implements LogProgress<L> {
  readonly #o: PartitionConsumerOptions<L>;
  readonly #frontier = new AckFrontier<Pending<L>>();
  #state: ConsumerState = "idle";
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #ackScheduled = false;
  #fetches = 0;
  #order = new DeliveryOrder();
  /** Bumped each time the durable is (re)created. */
  #incarnation = 0;
  #fenced = false;
  /** Each loop runs for one generation; restart() starts the next and the old one stops at its next step. */
  #generation = 0;
  #batch: ConsumerMessages | undefined;
  #received = 0;
  #restarts = 0;
  #backlog = 0;

  constructor(options: PartitionConsumerOptions<L>) {
    this.#o = options;
  }

  /** Creates (or updates) the durable consumer and starts fetching. */
  async start(): Promise<void> {
    const consumer = await this.#ensure();
    this.#state = "running";
    this.#loop = this.#run(consumer, this.#generation);
  }

  /**
   * Abandons the fetch loop (it may wait on a pull that never ends, or on a mailbox that never
   * frees) and starts a new one on a recreated durable. What the old loop handed to mailboxes stays
   * in the frontier, so the new durable's redeliveries of it are ignored; the old loop, should it
   * ever wake, stops at its next step.
   */
  restart(): void {
    if (this.#state !== "running") return;
    const generation = ++this.#generation;
    this.#restarts++;
    void this.#batch?.close();
    this.#wake?.();
    this.#loop = this.#run(undefined, generation);
  }

  /** Stops fetching (the pull in flight runs out and its messages are still delivered). */
  async stopFetching(): Promise<void> {
    if (this.#state === "running") this.#state = "stopping";
    this.#wake?.();
    await this.#loop;
    this.#state = "stopped";
  }

  /**
   * Lease lost: another owner may have recreated this durable already, and a late AckAll from here
   * would acknowledge its input. Stop fetching and never ack again.
   */
  fence(): Promise<void> {
    this.#fenced = true;
    return this.stopFetching();
  }

  /** Acks what is durable and makes sure the acks reached the server. */
  async flush(): Promise<void> {
    this.#ackNow();
    try {
      await this.#o.nc.flush();
    } catch {
      // A lost connection leaves the rest unacked: the next owner replays it, entities skip it by seq.
    }
  }

  get stats(): ConsumerStats {
    const f = this.#frontier;
    return { pending: f.pending, backlog: this.#backlog, unhandled: f.unhandled, floor: f.floor, fetches: this.#fetches, restarts: this.#restarts };
  }

  /** Counters that only grow while the partition moves: deliveries taken, messages handled, ack floor. */
  get progress(): readonly number[] {
    return [this.#received, this.#frontier.handledTotal, this.#frontier.floor];
  }

  get durable(): string {
    return this.#o.durable;
  }

  handled(seq: number, key: string): void {
    const before = this.#frontier.unhandled;
    this.#frontier.handled(seq, key);
    if (this.#frontier.unhandled < before) this.#wake?.();
  }

  covered(key: string, upTo: number): void {
    this.#frontier.covered(key, upTo);
    this.#wake?.();
    if (!this.#ackScheduled) {
      this.#ackScheduled = true;
      // One ack per burst of progress, not one per message.
      queueMicrotask(() => this.#ackNow());
    }
  }

  pendingFor(key: string, afterSeq: number): LogInput<L>[] {
    return this.#frontier.pendingFor(key, afterSeq).map((p) => p.input);
  }

  #ackNow(): void {
    this.#ackScheduled = false;
    if (this.#fenced) return;
    const top = this.#frontier.advance();
    // An ack carries the delivery sequence of the incarnation that delivered it; sent to the durable
    // recreated under the same name, an older one's ack sets its delivery ack floor past its own
    // deliveries, so the server ignores its real acks (ack floor stuck, ack-pending up to
    // max_ack_pending). AckAll lets the next ack of this incarnation cover the prefix instead; the
    // recreated durable redelivers everything above its floor, so such an ack always comes.
    if (top === undefined || top.incarnation !== this.#incarnation) return;
    try {
      top.msg.ack();
    } catch {
      // Closed connection: see flush().
    }
  }

  async #ensure(): Promise<Consumer> {
    const o = this.#o;
    // From here on no ack of the old incarnation's messages leaves: one sent while the durable is
    // being recreated could reach the new one (see #ackNow).
    this.#incarnation++;
    try {
      const consumer = await recreateAtFloor(o.nc, o.stream, o.durable, (startSeq) => partitionConsumerConfig(o, startSeq));
      this.#order = new DeliveryOrder();
      return consumer;
    } catch (err) {
      throw new PartitionConsumerFailed(o.durable, { cause: err });
    }
  }

  async #run(first: Consumer | undefined, generation: number): Promise<void> {
    let consumer: Consumer | undefined = first;
    let backoffMs = 50;
    const current = () => this.#state === "running" && generation === this.#generation;
    while (current()) {
      const room = this.#o.maxInFlight - this.#frontier.unhandled;
      if (room <= 0) {
        await this.#sleep(1000);
        continue;
      }
      try {
        // After a failure, start over at the floor: what was in flight comes again, pending entries ignore it.
        consumer ??= await this.#ensure();
        if (!current()) return;
        const batch: ConsumerMessages = await consumer.fetch({ max_messages: Math.min(room, this.#o.maxBatch), expires: this.#o.fetchExpiresMs });
        // The pull is sized by room; messages it brings arrive one by one, each waiting for mailbox space.
        this.#fetches++;
        this.#batch = batch;
        const deadline = new FetchDeadline(batch, this.#o.fetchExpiresMs);
        let gap = false;
        try {
          for await (const msg of batch) {
            if (generation !== this.#generation) break;
            this.#received++;
            this.#backlog = msg.info.pending;
            if (!this.#order.accept(msg)) {
              // A delivery went missing in transit (a reconnect, or a pull closed here while the
              // server still sent to it). Leaving the loop stops the pull: never `await
              // batch.close()` in here — nats.js queues the close behind the iterator and resolves
              // it only when the iterator runs again, which waits for this body: a deadlock that
              // left the partition pulling nothing, forever (the 1,000-symbol stall).
              gap = true;
              break;
            }
            deadline.busy = true;
            await this.#accept(msg);
            deadline.busy = false;
          }
        } finally {
          deadline.clear();
        }
        // Start over at the floor: what was in flight comes again, pending entries ignore it.
        if (gap) consumer = undefined;
        backoffMs = 50;
      } catch {
        if (this.#o.nc.isClosed() || !current()) return;
        consumer = undefined;
        await this.#sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 2000);
      }
    }
  }

  async #accept(msg: JsMsg): Promise<void> {
    const key = msg.subject.slice(msg.subject.lastIndexOf(".") + 1);
    let input: LogInput<L> | undefined;
    let parts: ReadonlyArray<readonly [string, L]> | undefined;
    try {
      parts = this.#o.fanOut?.(msg.subject, msg.data);
      if (parts === undefined) input = new LogInput(msg.seq, msg.subject, this.#o.codec.decode(msg.data));
    } catch (err) {
      this.#o.onUndecodable(msg.subject, msg.seq, err);
      if (this.#frontier.add(msg.seq, key, { input: new LogInput(msg.seq, msg.subject, undefined as L), msg, incarnation: this.#incarnation }) === "added") {
        this.#frontier.settle(msg.seq);
        this.#ackNow();
      }
      return;
    }
    if (input === undefined) return this.#acceptParts(msg, parts!);
    const pending = { input, msg, incarnation: this.#incarnation };
    const added = this.#frontier.add(msg.seq, key, pending);
    if (added === "stale" && !this.#fenced) msg.ack();
    if (added === "pending") this.#frontier.replace(msg.seq, pending); // ack through the newest delivery
    if (added !== "added") return; // a redelivery of a message still in flight here
    try {
      await this.#o.deliver(key, input);
    } catch (err) {
      // Not in any mailbox: forget it so that the redelivery after the restart is taken again.
      this.#frontier.forget(msg.seq);
      throw err;
    }
  }

  /** A message for several entities: each gets its part; the message is acked once every part is durable. */
  async #acceptParts(msg: JsMsg, parts: ReadonlyArray<readonly [string, L]>): Promise<void> {
    const pending = parts.map(([key, data]) => [key, { input: new LogInput(msg.seq, msg.subject, data), msg, incarnation: this.#incarnation }] as const);
    const added = this.#frontier.addParts(msg.seq, pending);
    if (added === "stale" && !this.#fenced) msg.ack();
    if (added === "pending") for (const [key, p] of pending) this.#frontier.replace(msg.seq, p, key);
    if (added !== "added") return;
    try {
      for (const [key, p] of pending) await this.#o.deliver(key, p.input);
    } catch (err) {
      // Not in every mailbox: forget it whole; the redelivery is taken again (entities that had their part skip it by seq).
      this.#frontier.forget(msg.seq);
      throw err;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }
}
