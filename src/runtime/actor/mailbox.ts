/**
 * A bounded FIFO mailbox. Messages and their optional ask replies sit in two parallel ring
 * buffers so a `tell` allocates nothing; senders that find it full wait in a FIFO queue and are
 * admitted one by one as the actor consumes.
 */
import type { TimerHandle } from "../clock.js";

/** The answer slot of one `ask`: settles once (answer, handler error, timeout or stop), whichever comes first. */
export class PendingReply {
  timer: TimerHandle | undefined = undefined;
  #done = false;

  constructor(
    private readonly onValue: (value: unknown) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  resolve(value: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.timer?.cancel();
    this.onValue(value);
  }

  reject(error: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.timer?.cancel();
    this.onError(error);
  }
}

/** A sender waiting for room: a blocked `tell` (resolve/reject its promise) or `ask` (its reply settles the promise). */
export interface WaitingSender<M> {
  message: M;
  reply: PendingReply | undefined;
  admitted: (() => void) | undefined;
  refused: ((error: unknown) => void) | undefined;
}

/** Growable ring queue; only used for waiting senders (rare, slow path). */
class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    // Compact once the consumed prefix dominates, so the array does not grow without bound.
    if (this.#head > 64 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

const INITIAL_SLOTS = 8;

export class Mailbox<M> {
  readonly capacity: number;
  readonly waiting = new Queue<WaitingSender<M>>();
  /** The reply slot of the message last returned by `shift` (undefined for a tell). */
  shiftedReply: PendingReply | undefined = undefined;
  #messages: (M | undefined)[];
  #replies: (PendingReply | undefined)[];
  #mask: number;
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    // Start small and double: thousands of mostly idle entity actors must stay cheap.
    const slots = Math.min(INITIAL_SLOTS, nextPowerOfTwo(capacity));
    this.#messages = new Array<M | undefined>(slots);
    this.#replies = new Array<PendingReply | undefined>(slots);
    this.#mask = slots - 1;
  }

  get length(): number {
    return this.#length;
  }

  /** True when a new sender must wait: no room, or others are already waiting (FIFO fairness). */
  get mustWait(): boolean {
    return this.#length >= this.capacity || this.waiting.length > 0;
  }

  /** Caller checks room first (`mustWait`, or an admitted waiter after a `shift`). */
  push(message: M, reply: PendingReply | undefined): void {
    if (this.#length > this.#mask) this.#grow();
    const i = (this.#head + this.#length) & this.#mask;
    this.#messages[i] = message;
    this.#replies[i] = reply;
    this.#length++;
  }

  /** Removes the oldest message; its reply is left in `shiftedReply`. Caller checks `length > 0`. */
  shift(): M {
    const i = this.#head;
    const message = this.#messages[i] as M;
    this.shiftedReply = this.#replies[i];
    this.#messages[i] = undefined;
    this.#replies[i] = undefined;
    this.#head = (i + 1) & this.#mask;
    this.#length--;
    return message;
  }

  /** Moves the first waiting sender into the mailbox, if there is room. */
  admitWaiting(): void {
    if (this.#length >= this.capacity) return;
    const sender = this.waiting.shift();
    if (sender === undefined) return;
    this.push(sender.message, sender.reply);
    sender.admitted?.();
  }

  /** Empties the mailbox and the waiting queue, rejecting every ask and blocked tell with `error`. */
  dropAll(error: unknown): void {
    while (this.#length > 0) {
      this.shift();
      this.shiftedReply?.reject(error);
    }
    this.shiftedReply = undefined;
    for (let sender = this.waiting.shift(); sender !== undefined; sender = this.waiting.shift()) {
      sender.reply?.reject(error);
      sender.refused?.(error);
    }
  }

  #grow(): void {
    const oldSize = this.#mask + 1;
    const messages = new Array<M | undefined>(oldSize * 2);
    const replies = new Array<PendingReply | undefined>(oldSize * 2);
    for (let k = 0; k < this.#length; k++) {
      const i = (this.#head + k) & this.#mask;
      messages[k] = this.#messages[i];
      replies[k] = this.#replies[i];
    }
    this.#messages = messages;
    this.#replies = replies;
    this.#head = 0;
    this.#mask = oldSize * 2 - 1;
  }
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
