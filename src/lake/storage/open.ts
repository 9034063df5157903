import { LocalStorage } from "./local.js";
import { S3Storage, type S3StorageOptions } from "./s3.js";
import type { Storage } from "./types.js";
import { joinKey } from "./types.js";
import { DEFAULT_LAKE_URI } from "../../config/lake-cli.js";

export type S3Connection = Omit<S3StorageOptions, "bucket" | "prefix">;

/**
 * Opens the storage a lake URI names: `s3://bucket/prefix` (connection settings from `s3`),
 * `file:///abs/dir`, or a plain directory path.
 */
export function openStorage(uri: string = DEFAULT_LAKE_URI, s3: S3Connection = {}): Storage {
  if (uri.startsWith("s3://")) {
    const rest = uri.slice("s3://".length);
    const slash = rest.indexOf("/");
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    if (!bucket) throw new Error(`lake URI "${uri}" names no bucket (expected s3://bucket/prefix)`);
    return new S3Storage({ ...s3, bucket, prefix: slash < 0 ? "" : joinKey(rest.slice(slash + 1)) });
  }
  if (uri.startsWith("file://")) return new LocalStorage(new URL(uri).pathname);
  return new LocalStorage(uri);
}

/** The same store seen from a sub-folder (one table inside the lake root). */
export function subStorage(parent: Storage, prefix: string): Storage {
  const p = joinKey(prefix);
  const k = (key: string) => `${p}/${key}`;
  const strip = (key: string) => key.slice(p.length + 1);
  return {
    uri: `${parent.uri.replace(/\/$/, "")}/${p}`,
    get: (key) => parent.get(k(key)),
    head: async (key) => {
      const info = await parent.head(k(key));
      return info && { ...info, key };
    },
    put: (key, bytes) => parent.put(k(key), bytes),
    putIfAbsent: (key, bytes) => parent.putIfAbsent(k(key), bytes),
    list: async (prefix, startAfter) =>
      (await parent.list(k(prefix), startAfter === undefined ? undefined : k(startAfter))).map((o) => ({ ...o, key: strip(o.key) })),
    delete: (key) => parent.delete(k(key)),
  };
}
