/** The handle other code holds to a local actor. Thin: everything happens in the cell. */
import type { Clock } from "../clock.js";
import { ActorStopped, AskTimeout, InvalidActorOption } from "./errors.js";
import { PendingReply } from "./mailbox.js";
import type { ActorPath, ActorRef } from "./types.js";

/** What a ref needs of the actor's cell (cell.ts implements it). */
export interface RefTarget<M> {
  readonly path: ActorPath;
  readonly clock: Clock;
  readonly isAlive: boolean;
  readonly mailboxDepth: number;
  readonly defaultAskTimeoutMs: number;
  /** Enqueues at once when the mailbox has room; false when it is full. */
  offer(message: M, reply: PendingReply | undefined): boolean;
  /** Enqueues once the mailbox has room (backpressure). */
  waitForRoom(message: M, reply?: PendingReply): Promise<void>;
}

/** Shared by every `tell` that found room at once: no promise is allocated on the fast path. */
const ENQUEUED: Promise<void> = Promise.resolve();

export class LocalActorRef<M, R = unknown> implements ActorRef<M, R> {
  readonly path: ActorPath;
  readonly #cell: RefTarget<M>;

  constructor(cell: RefTarget<M>) {
    this.#cell = cell;
    this.path = cell.path;
  }

  tell(message: M): Promise<void> {
    const cell = this.#cell;
    if (cell.offer(message, undefined)) return ENQUEUED;
    return cell.waitForRoom(message);
  }

  tryTell(message: M): boolean {
    return this.#cell.offer(message, undefined);
  }

  ask(message: M, options?: { timeoutMs?: number }): Promise<R> {
    const cell = this.#cell;
    const timeoutMs = options?.timeoutMs ?? cell.defaultAskTimeoutMs;
    if (!(timeoutMs > 0)) return Promise.reject(new InvalidActorOption("timeoutMs", `must be > 0, got ${timeoutMs}`));
    if (!cell.isAlive) return Promise.reject(new ActorStopped(this.path));
    return new Promise<R>((resolve, reject) => {
      const reply = new PendingReply(resolve as (value: unknown) => void, reject);
      if (timeoutMs !== Infinity) {
        reply.timer = cell.clock.setTimeout(() => reply.reject(new AskTimeout(this.path, timeoutMs)), timeoutMs);
      }
      if (!cell.offer(message, reply)) cell.waitForRoom(message, reply);
    });
  }

  get mailboxDepth(): number {
    return this.#cell.mailboxDepth;
  }

  get isAlive(): boolean {
    return this.#cell.isAlive;
  }

  toString(): string {
    return `ActorRef(${this.path})`;
  }
}
