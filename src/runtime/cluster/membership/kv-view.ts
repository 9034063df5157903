/**
 * A local copy of a KV bucket's live keys, fed by a watch and a snapshot read, where entries also
 * expire on the local clock. Why local expiry: a bucket's max_age removes old entries on the
 * server without telling watchers, so "no news for TTL" must be judged here.
 *
 * Entries are applied only if their revision is newer than what the view holds for that key, so
 * a snapshot read racing with the watch can never move a key backwards.
 */
export interface ViewEntry<V> {
  value: V;
  revision: number;
  /** Local clock time of the last write seen for this key. */
  seenAt: number;
}

export type ViewChange<V> =
  | { kind: "set"; key: string; value: V; previous: V | undefined }
  | { kind: "removed"; key: string; previous: V; why: "deleted" | "expired" };

export class KvView<V> {
  readonly #live = new Map<string, ViewEntry<V>>();
  /** Highest revision seen per key, including deletes, to drop stale replays. */
  readonly #revisions = new Map<string, number>();

  get(key: string): ViewEntry<V> | undefined {
    return this.#live.get(key);
  }

  entries(): IterableIterator<[string, ViewEntry<V>]> {
    return this.#live.entries();
  }

  get size(): number {
    return this.#live.size;
  }

  /** A put (value defined) or a delete/purge (value undefined) at `revision`. */
  apply(key: string, value: V | undefined, revision: number, now: number): ViewChange<V> | undefined {
    const known = this.#revisions.get(key) ?? 0;
    if (revision <= known) return undefined;
    this.#revisions.set(key, revision);
    const previous = this.#live.get(key);
    if (value === undefined) {
      if (!previous) return undefined;
      this.#live.delete(key);
      return { kind: "removed", key, previous: previous.value, why: "deleted" };
    }
    this.#live.set(key, { value, revision, seenAt: now });
    return { kind: "set", key, value, previous: previous?.value };
  }

  /** Removes keys with no write seen for `ttlMs`. */
  expire(now: number, ttlMs: number): ViewChange<V>[] {
    const out: ViewChange<V>[] = [];
    for (const [key, entry] of this.#live) {
      if (now - entry.seenAt > ttlMs) {
        this.#live.delete(key);
        out.push({ kind: "removed", key, previous: entry.value, why: "expired" });
      }
    }
    return out;
  }
}
