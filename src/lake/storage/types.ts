/** The lake's only view of where bytes live: a flat key space of immutable-ish objects. */
export interface ObjectInfo {
  /** Key relative to the storage root, '/'-separated. */
  key: string;
  size: number;
  /** Last modification, ms since epoch. */
  lastModified: number;
}

export interface Storage {
  /** A printable location, e.g. `file:///data/lake` or `s3://bucket/prefix`. */
  readonly uri: string;
  /** The object's bytes, or undefined when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Writes (or replaces) the whole object atomically: readers see old or new, never half. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Creates the object only if no object has that key; false when one already exists. */
  putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean>;
  /** Every object whose key starts with `prefix`, sorted by key, optionally only keys after `startAfter`. */
  list(prefix: string, startAfter?: string): Promise<ObjectInfo[]>;
  /** Removes the object; no error when it is already gone. */
  delete(key: string): Promise<void>;
}

/** Joins key segments with '/', dropping empty ones. */
export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split("/"))
    .filter((p) => p.length > 0)
    .join("/");
}
