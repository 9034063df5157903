/**
 * Which log messages of one partition may be acknowledged. A message is "done" once the entity
 * it went to has made it durable: a stored snapshot whose lastSeq covers it (or, for an entity
 * without snapshots, once it was handled). The consumer acks with AckPolicy.All, so one ack of
 * the highest seq of the done prefix acknowledges everything below it; a message that is not
 * done holds the whole prefix back, which is what makes a crash replay it.
 *
 * A message may feed several entities (a per-partition trade message, one part per symbol): it
 * counts as handled once every part is, and as done once every part's entity covers it.
 *
 * Pure bookkeeping: no I/O, no timers.
 */

interface Entry<T> {
  seq: number;
  key: string;
  item: T;
  handled: boolean;
  done: boolean;
  /** The message's parts when it feeds several entities (shared by them); undefined for one. */
  group: Group<T> | undefined;
}

interface Group<T> {
  parts: Entry<T>[];
  /** Each part by its entity key (a message may have hundreds of parts: no scan per ack). */
  partOf: Map<string, Entry<T>>;
  unhandled: number;
  undone: number;
}

export type AddResult = "added" | "pending" | "stale";

export class AckFrontier<T> {
  /** Pending entries in ascending seq order. */
  #entries: Entry<T>[] = [];
  #head = 0;
  /** Each pending message's (first) part. */
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
    const entry: Entry<T> = { seq, key, item, handled: false, done: false, group: undefined };
    this.#bySeq.set(seq, entry);
    this.#unhandled++;
    this.#insert(entry);
    return "added";
  }

  /** Registers a message that feeds several entities, one part (key, item) each, keys distinct. As `add`. */
  addParts(seq: number, parts: ReadonlyArray<readonly [string, T]>): AddResult {
    if (parts.length === 1) return this.add(seq, parts[0]![0], parts[0]![1]);
    if (seq <= this.#floor) return "stale";
    if (this.#bySeq.has(seq)) return "pending";
    if (parts.length === 0) throw new RangeError(`message ${seq} has no part`);
    const group: Group<T> = { parts: [], partOf: new Map(), unhandled: parts.length, undone: parts.length };
    for (const [key, item] of parts) {
      const part: Entry<T> = { seq, key, item, handled: false, done: false, group };
      group.parts.push(part);
      group.partOf.set(key, part);
    }
    this.#bySeq.set(seq, group.parts[0]!);
    this.#unhandled++;
    for (const part of group.parts) this.#insert(part);
    return "added";
  }

  #insert(entry: Entry<T>): void {
    insertSorted(this.#entries, entry, this.#head);
    const list = this.#byKey.get(entry.key);
    if (list === undefined) this.#byKey.set(entry.key, [entry]);
    else insertSorted(list, entry, 0);
  }

  /** The message's parts: itself, or each entity's part of it. */
  #parts(entry: Entry<T>): readonly Entry<T>[] {
    return entry.group?.parts ?? [entry];
  }

  /** The part of message `seq` that went to `key` (any part of a message with one). */
  #part(seq: number, key: string | undefined): Entry<T> | undefined {
    const entry = this.#bySeq.get(seq);
    if (entry?.group === undefined) return entry;
    return key === undefined ? undefined : entry.group.partOf.get(key);
  }

  /** Drops a message that never reached its entities (delivery failed): it will come again, whole. */
  forget(seq: number): void {
    const entry = this.#bySeq.get(seq);
    if (entry === undefined) return;
    if (entry.group === undefined ? !entry.handled : entry.group.unhandled > 0) this.#unhandled--;
    this.#bySeq.delete(seq);
    for (const part of this.#parts(entry)) {
      const at = this.#entries.indexOf(part, this.#head);
      if (at >= 0) this.#entries.splice(at, 1);
      this.#unlist(part);
    }
  }

  #unlist(entry: Entry<T>): void {
    const list = this.#byKey.get(entry.key);
    const i = list?.indexOf(entry) ?? -1;
    if (list !== undefined && i >= 0) list.splice(i, 1);
    if (list?.length === 0) this.#byKey.delete(entry.key);
  }

  /** Swaps the item of a pending message's part (a redelivery carries the live ack handle). */
  replace(seq: number, item: T, key?: string): void {
    const entry = this.#part(seq, key);
    if (entry !== undefined) entry.item = item;
  }

  /** The entity `key` handled (applied or skipped) the message: it no longer occupies a mailbox slot once every part is handled. */
  handled(seq: number, key?: string): void {
    const entry = this.#part(seq, key);
    if (entry !== undefined) this.#handle(entry);
  }

  #handle(entry: Entry<T>): void {
    if (entry.handled) return;
    entry.handled = true;
    if (entry.group !== undefined && --entry.group.unhandled > 0) return;
    this.#unhandled--;
    this.#handledTotal++;
  }

  #finish(entry: Entry<T>): void {
    this.#handle(entry);
    if (entry.done) return;
    entry.done = true;
    if (entry.group !== undefined) entry.group.undone--;
  }

  /** Everything delivered to `key` up to `upTo` is durable. */
  covered(key: string, upTo: number): void {
    const list = this.#byKey.get(key);
    if (list === undefined) return;
    let n = 0;
    while (n < list.length && list[n]!.seq <= upTo) this.#finish(list[n++]!);
    if (n === list.length) this.#byKey.delete(key);
    else if (n > 0) list.splice(0, n);
  }

  /** One message is done on its own, every part (e.g. undecodable: reported, acknowledged, never applied). */
  settle(seq: number): void {
    const entry = this.#bySeq.get(seq);
    if (entry === undefined) return;
    for (const part of this.#parts(entry)) {
      this.#finish(part);
      this.#unlist(part);
    }
  }

  /** Inputs delivered to `key` above `afterSeq` and not yet durable, in order (for replay after an entity restart). */
  pendingFor(key: string, afterSeq: number): T[] {
    return (this.#byKey.get(key) ?? []).filter((e) => e.seq > afterSeq).map((e) => e.item);
  }

  /** Pops the done prefix; returns the item of its highest seq (the one to ack), if any moved. */
  advance(): T | undefined {
    let last: Entry<T> | undefined;
    // A part is popped only when its whole message is done (its parts are next to each other).
    for (let e = this.#entries[this.#head]; e !== undefined && e.done && (e.group === undefined || e.group.undone === 0); e = this.#entries[this.#head]) {
      last = e;
      this.#bySeq.delete(e.seq);
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
