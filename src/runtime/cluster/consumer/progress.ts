/**
 * Which log messages of one partition may be acknowledged. A message is "done" once the entity
 * it went to has made it durable: a stored snapshot whose lastSeq covers it (or, for an entity
 * without snapshots, once it was handled). The consumer acks with AckPolicy.All, so one ack of
 * the highest seq of the done prefix acknowledges everything below it; a message that is not
 * done holds the whole prefix back, which is what makes a crash replay it.
 *
 * Pure bookkeeping: no I/O, no timers.
 */

interface Entry<T> {
  seq: number;
  key: string;
  item: T;
  handled: boolean;
  done: boolean;
}

export type AddResult = "added" | "pending" | "stale";

export class AckFrontier<T> {
  /** Pending entries in ascending seq order. */
  #entries: Entry<T>[] = [];
  #head = 0;
  readonly #bySeq = new Map<number, Entry<T>>();
  readonly #byKey = new Map<string, Entry<T>[]>();
  #floor = 0;
  #unhandled = 0;
  #handledTotal = 0;

  /** Highest seq acknowledged (or about to be) through this frontier. */
  get floor(): number {
    return this.#floor;
  }

  /** Delivered to an entity mailbox but not yet handled by it: what backpressure counts. */
  get unhandled(): number {
    return this.#unhandled;
  }

  get pending(): number {
    return this.#bySeq.size;
  }

  /** Messages handled since this frontier began (only grows): progress, for the stall watchdog. */
  get handledTotal(): number {
    return this.#handledTotal;
  }

  /**
   * Registers a delivered message. "pending": a redelivery (ack_wait) of a message still in
   * flight here, to be ignored; "stale": at or below the floor, already acknowledged.
   */
  add(seq: number, key: string, item: T): AddResult {
    if (seq <= this.#floor) return "stale";
    if (this.#bySeq.has(seq)) return "pending";
    const entry: Entry<T> = { seq, key, item, handled: false, done: false };
    this.#bySeq.set(seq, entry);
    this.#unhandled++;
    insertSorted(this.#entries, entry, this.#head);
    const list = this.#byKey.get(key);
    if (list === undefined) this.#byKey.set(key, [entry]);
    else insertSorted(list, entry, 0);
    return "added";
  }

  /** Drops a message that never reached its entity (delivery failed): it will come again. */
  forget(seq: number): void {
    const entry = this.#bySeq.get(seq);
    if (entry === undefined) return;
    if (!entry.handled) this.#unhandled--;
    this.#bySeq.delete(seq);
    const at = this.#entries.indexOf(entry, this.#head);
    if (at >= 0) this.#entries.splice(at, 1);
    const list = this.#byKey.get(entry.key);
    const i = list?.indexOf(entry) ?? -1;
    if (list !== undefined && i >= 0) list.splice(i, 1);
    if (list?.length === 0) this.#byKey.delete(entry.key);
  }

  /** Swaps the item of a pending message (a redelivery carries the live ack handle). */
  replace(seq: number, item: T): void {
    const entry = this.#bySeq.get(seq);
    if (entry !== undefined) entry.item = item;
  }

  /** The entity handled (applied or skipped) the message: it no longer occupies a mailbox slot. */
  handled(seq: number): void {
    const entry = this.#bySeq.get(seq);
    if (entry !== undefined && !entry.handled) {
      entry.handled = true;
      this.#unhandled--;
      this.#handledTotal++;
    }
  }

  /** Everything delivered to `key` up to `upTo` is durable. */
  covered(key: string, upTo: number): void {
    const list = this.#byKey.get(key);
    if (list === undefined) return;
    let n = 0;
    while (n < list.length && list[n]!.seq <= upTo) {
      const entry = list[n]!;
      this.handled(entry.seq);
      entry.done = true;
      n++;
    }
    if (n === list.length) this.#byKey.delete(key);
    else if (n > 0) list.splice(0, n);
  }

  /** One message is done on its own (e.g. undecodable: reported, acknowledged, never applied). */
  settle(seq: number): void {
    const entry = this.#bySeq.get(seq);
    if (entry === undefined) return;
    this.handled(seq);
    entry.done = true;
    const list = this.#byKey.get(entry.key);
    const at = list?.indexOf(entry) ?? -1;
    if (list !== undefined && at >= 0) list.splice(at, 1);
    if (list?.length === 0) this.#byKey.delete(entry.key);
  }

  /** Inputs delivered to `key` above `afterSeq` and not yet durable, in order (for replay after an entity restart). */
  pendingFor(key: string, afterSeq: number): T[] {
    return (this.#byKey.get(key) ?? []).filter((e) => e.seq > afterSeq).map((e) => e.item);
  }

  /** Pops the done prefix; returns the item of its highest seq (the one to ack), if any moved. */
  advance(): T | undefined {
    let last: Entry<T> | undefined;
    while (this.#head < this.#entries.length && this.#entries[this.#head]!.done) {
      last = this.#entries[this.#head]!;
      this.#bySeq.delete(last.seq);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    if (last === undefined) return undefined;
    this.#floor = last.seq;
    return last.item;
  }
}

/** Appends, or inserts in place when out of order (rare: only redelivery races). */
function insertSorted<T extends { seq: number }>(list: T[], entry: T, from: number): void {
  let i = list.length;
  while (i > from && list[i - 1]!.seq > entry.seq) i--;
  list.splice(i, 0, entry);
}
