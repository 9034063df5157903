import { mkdir, readFile, writeFile, rename, link, unlink, stat, readdir, rm } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { LakeStorageError } from "../errors.js";
import type { ObjectInfo, Storage } from "./types.js";

function isCode(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === code;
}

/** A directory on local disk. Atomic writes go through a temp file in the same directory. */
export class LocalStorage implements Storage {
  readonly root: string;
  readonly uri: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.uri = pathToFileURL(this.root).href;
  }

  #path(key: string): string {
    return join(this.root, ...key.split("/"));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.#path(key)));
    } catch (err) {
      if (isCode(err, "ENOENT") || isCode(err, "EISDIR")) return undefined;
      throw new LakeStorageError(`read ${key} failed`, { cause: err });
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.#path(key));
      return s.isFile() ? { key, size: s.size, lastModified: Math.floor(s.mtimeMs) } : undefined;
    } catch (err) {
      if (isCode(err, "ENOENT")) return undefined;
      throw new LakeStorageError(`stat ${key} failed`, { cause: err });
    }
  }

  async #writeTemp(key: string, bytes: Uint8Array): Promise<string> {
    const target = this.#path(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.tmp-${randomUUID()}`);
    await writeFile(tmp, bytes);
    return tmp;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    try {
      const tmp = await this.#writeTemp(key, bytes);
      await rename(tmp, this.#path(key));
    } catch (err) {
      throw new LakeStorageError(`write ${key} failed`, { cause: err });
    }
  }

  /** link(2) fails with EEXIST when the name is taken, and the file it exposes is already complete. */
  async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    let tmp: string | undefined;
    try {
      tmp = await this.#writeTemp(key, bytes);
      await link(tmp, this.#path(key));
      return true;
    } catch (err) {
      if (isCode(err, "EEXIST")) return false;
      throw new LakeStorageError(`exclusive create of ${key} failed`, { cause: err });
    } finally {
      if (tmp) await unlink(tmp).catch(() => {});
    }
  }

  async list(prefix: string, startAfter?: string): Promise<ObjectInfo[]> {
    // Walk only the deepest directory the prefix names, not the whole lake.
    const slash = prefix.lastIndexOf("/");
    const baseKey = slash >= 0 ? prefix.slice(0, slash) : "";
    const out: ObjectInfo[] = [];
    // Filter before stat: a long _delta_log is listed after every commit, only the tail is wanted.
    const wanted = (key: string) => key.startsWith(prefix) && (startAfter === undefined || key > startAfter);
    await this.#walk(baseKey, out, wanted);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async #walk(dirKey: string, out: ObjectInfo[], wanted: (key: string) => boolean): Promise<void> {
    let entries;
    try {
      entries = await readdir(dirKey ? this.#path(dirKey) : this.root, { withFileTypes: true });
    } catch (err) {
      if (isCode(err, "ENOENT") || isCode(err, "ENOTDIR")) return;
      throw new LakeStorageError(`list ${dirKey} failed`, { cause: err });
    }
    for (const e of entries) {
      if (e.name.startsWith(".tmp-")) continue;
      const key = dirKey ? `${dirKey}/${e.name}` : e.name;
      if (e.isDirectory()) await this.#walk(key, out, wanted);
      else if (e.isFile() && wanted(key)) {
        const s = await stat(this.#path(key)).catch(() => undefined);
        if (s) out.push({ key, size: s.size, lastModified: Math.floor(s.mtimeMs) });
      }
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.#path(key), { force: true });
    } catch (err) {
      throw new LakeStorageError(`delete ${key} failed`, { cause: err });
    }
  }
}

