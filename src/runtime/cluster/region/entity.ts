import type { Actor, ActorContext } from "../../actor/types.js";
import { isSnapshotting, type SnapshotStore, type SnapshottingEntity } from "../snapshots/snapshot-store.js";
import { assertNever } from "../../assert-never.js";

/** A message from the durable log, as an entity sees it. */
export class LogInput<L = unknown> {
  constructor(
    readonly seq: number,
    readonly subject: string,
    readonly data: L,
  ) {}
}

export function isLogInput<M, L>(message: EntityInput<M, L>): message is LogInput<L> {
  return message instanceof LogInput;
}

/** Everything an entity receives: plain messages sent with region.tell/ask, and log input. */
export type EntityInput<M, L = unknown> = M | LogInput<L>;

/** Makes the entity behaviour for a key. Called again (fresh instance) on every restart. */
export type EntityFactory<M, L = unknown> = (key: string) => Actor<EntityInput<M, L>>;

export interface Deferred<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Who sent a region message: a sender incarnation and its per-partition sequence. */
export interface SenderStamp {
  sender: string;
  seq: number;
}

export type EnvelopeBody<M, L> =
  | { type: "message"; message: M; reply?: Deferred<unknown>; from?: SenderStamp }
  | { type: "log"; input: LogInput<L> }
  | { type: "snapshot-tick" };

/** What the region puts into an entity's mailbox; anything else (the entity's own timers) passes straight through. */
export class EntityEnvelope<M, L = unknown> {
  constructor(readonly body: EnvelopeBody<M, L>) {}
}

export type ShellMessage<M, L = unknown> = EntityInput<M, L> | EntityEnvelope<M, L>;

/** How an entity reports log progress to its partition's consumer. */
export interface LogProgress<L> {
  /** Entity `key` handled the message (a message may feed several entities). */
  handled(seq: number, key: string): void;
  /** Everything delivered to `key` up to `upTo` is durable (snapshot stored, or no snapshot needed). */
  covered(key: string, upTo: number): void;
  /** Log input delivered to `key` above `afterSeq` that is not durable yet (replayed after a restart). */
  pendingFor(key: string, afterSeq: number): LogInput<L>[];
}

export interface SnapshotPolicy {
  everyMessages: number;
  everyMs: number;
}

export interface EntityShellOptions<M, L> {
  key: string;
  entity: Actor<EntityInput<M, L>>;
  store: SnapshotStore | undefined;
  progress: LogProgress<L> | undefined;
  policy: SnapshotPolicy;
  /** Set when the partition was lost abruptly: another owner may already run it, so write nothing. */
  fence: { readonly fenced: boolean };
}

/** A resent message this entity already folded (its snapshot says so): skipped, never applied twice. */
export class DuplicateDelivery extends Error {
  constructor(key: string, stamp: SenderStamp) {
    super(`entity ${key} already applied ${stamp.sender}#${stamp.seq}`);
    this.name = "DuplicateDelivery";
  }
}

/** Senders remembered per entity; the least recently heard are forgotten first. */
const MAX_SENDER_MARKS = 256;

const SNAPSHOT_TICK = new EntityEnvelope<never, never>({ type: "snapshot-tick" });

/**
 * The runtime shell around one entity: restores its snapshot before anything else, skips log
 * input it already folded (seq <= lastSeq: redeliveries and replays), snapshots every N messages,
 * every T ms while dirty and when stopped, and reports durable progress to the consumer.
 */
export class EntityShell<M, L> implements Actor<ShellMessage<M, L>> {
  readonly #o: EntityShellOptions<M, L>;
  readonly #snapshotting: SnapshottingEntity | undefined;
  #lastSeq = 0;
  #coveredSeq = 0;
  #changes = 0;
  /** sender → highest seq applied here, in recency order (see SHARDING.md, "crash of an owner"). */
  #marks = new Map<string, number>();

  constructor(options: EntityShellOptions<M, L>) {
    this.#o = options;
    this.#snapshotting = options.store !== undefined && isSnapshotting(options.entity) ? options.entity : undefined;
  }

  async preStart(ctx: ActorContext<ShellMessage<M, L>>): Promise<void> {
    const { key, store, entity, progress, policy } = this.#o;
    if (this.#snapshotting !== undefined && store !== undefined) {
      const snap = await store.load(key);
      if (snap !== undefined) {
        this.#snapshotting.restore(snap.state);
        this.#lastSeq = this.#coveredSeq = snap.lastSeq;
        this.#marks = new Map(Object.entries(snap.senders ?? {}));
      }
      ctx.timers.startPeriodic("region-snapshot", SNAPSHOT_TICK, policy.everyMs);
    }
    await entity.preStart?.(userContext(ctx));
    // A restarted instance lost what its predecessor folded since the snapshot: fold it again.
    for (const input of progress?.pendingFor(key, this.#lastSeq) ?? []) await this.#applyLog(input, ctx);
  }

  async receive(message: ShellMessage<M, L>, ctx: ActorContext<ShellMessage<M, L>>): Promise<unknown> {
    if (!(message instanceof EntityEnvelope)) return this.#handle(message, ctx);
    const body = message.body;
    switch (body.type) {
      case "message":
        try {
          if (body.from !== undefined && !this.#fresh(body.from)) throw new DuplicateDelivery(this.#o.key, body.from);
          const result = await this.#handle(body.message, ctx);
          body.reply?.resolve(result);
          return result;
        } catch (err) {
          body.reply?.reject(err);
          if (err instanceof DuplicateDelivery) return undefined; // not a failure of the entity
          throw err;
        }
      case "log":
        return this.#applyLog(body.input, ctx);
      case "snapshot-tick":
        if (this.#changes > 0) await this.#snapshot();
        return undefined;
      default:
        return assertNever(body);
    }
  }

  async preRestart(error: unknown, ctx: ActorContext<ShellMessage<M, L>>): Promise<void> {
    await this.#o.entity.preRestart?.(error, userContext(ctx));
  }

  async postStop(ctx: ActorContext<ShellMessage<M, L>>): Promise<void> {
    if (this.#changes > 0) await this.#snapshot();
    await this.#o.entity.postStop?.(userContext(ctx));
  }

  async #handle(message: EntityInput<M, L>, ctx: ActorContext<ShellMessage<M, L>>): Promise<unknown> {
    const result = await this.#o.entity.receive(message, userContext(ctx));
    const s = this.#snapshotting;
    if (s !== undefined && (isLogInput(message) || (s.changesState?.(message) ?? true)) && ++this.#changes >= this.#o.policy.everyMessages) await this.#snapshot();
    return result;
  }

  /** Records the stamp; false when this entity already applied it (a resend after a crash restore). */
  #fresh(stamp: SenderStamp): boolean {
    const high = this.#marks.get(stamp.sender);
    if (high !== undefined && stamp.seq <= high) return false;
    this.#marks.delete(stamp.sender);
    this.#marks.set(stamp.sender, stamp.seq);
    if (this.#marks.size > MAX_SENDER_MARKS) this.#marks.delete(this.#marks.keys().next().value!);
    return true;
  }

  async #applyLog(input: LogInput<L>, ctx: ActorContext<ShellMessage<M, L>>): Promise<void> {
    const progress = this.#o.progress;
    if (input.seq <= this.#lastSeq) {
      progress?.handled(input.seq, this.#o.key);
      if (input.seq <= this.#coveredSeq) progress?.covered(this.#o.key, this.#coveredSeq);
      return;
    }
    await this.#o.entity.receive(input, userContext(ctx));
    this.#lastSeq = input.seq;
    progress?.handled(input.seq, this.#o.key);
    if (this.#snapshotting === undefined) {
      this.#coveredSeq = input.seq;
      progress?.covered(this.#o.key, input.seq);
    } else if (++this.#changes >= this.#o.policy.everyMessages) {
      await this.#snapshot();
    }
  }

  async #snapshot(): Promise<void> {
    if (this.#snapshotting === undefined || this.#o.store === undefined || this.#o.fence.fenced) return;
    const lastSeq = this.#lastSeq;
    await this.#o.store.save(this.#o.key, { state: this.#snapshotting.snapshot(), lastSeq, senders: Object.fromEntries(this.#marks) });
    this.#changes = 0;
    this.#coveredSeq = lastSeq;
    this.#o.progress?.covered(this.#o.key, lastSeq);
  }
}

/** The shell accepts every EntityInput, so the entity may use the context as its own. */
function userContext<M, L>(ctx: ActorContext<ShellMessage<M, L>>): ActorContext<EntityInput<M, L>> {
  return ctx as unknown as ActorContext<EntityInput<M, L>>;
}
