/**
 * The champion pointers in the KV bucket rt_champions (key = symbol). Every write names the
 * revision it was computed from (compare-and-set), so two trainers on different nodes never
 * overwrite each other's promotion: the loser re-reads and decides again.
 */
import { isCasConflict } from "../runtime/nats/errors.js";
import type { KV } from "@nats-io/kv";
import { ChampionConflict } from "./errors.js";
import { parsePointer, type ChampionPointer } from "./pointer.js";

export interface StoredPointer {
  pointer: ChampionPointer;
  revision: number;
}

/** The pointer operations the trainer and admin commands need; KvChampionStore is the real one. */
export interface ChampionStore {
  read(symbol: string): Promise<StoredPointer | null>;
  /** Writes only if the key is still at `expected` (null: absent). Returns the new revision, or "conflict". */
  write(symbol: string, pointer: ChampionPointer, expected: number | null): Promise<number | "conflict">;
  list(): Promise<ChampionPointer[]>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class KvChampionStore implements ChampionStore {
  constructor(readonly kv: KV) {}

  async read(symbol: string): Promise<StoredPointer | null> {
    const e = await this.kv.get(symbol);
    if (e === null || e.operation !== "PUT") return null;
    return { pointer: parsePointer(JSON.parse(decoder.decode(e.value)), symbol), revision: e.revision };
  }

  async write(symbol: string, pointer: ChampionPointer, expected: number | null): Promise<number | "conflict"> {
    const data = encoder.encode(JSON.stringify(pointer));
    try {
      return expected === null ? await this.kv.create(symbol, data) : await this.kv.update(symbol, data, expected);
    } catch (err) {
      if (isCasConflict(err)) return "conflict";
      throw err;
    }
  }

  async list(): Promise<ChampionPointer[]> {
    const keys: string[] = [];
    for await (const k of await this.kv.keys()) keys.push(k);
    const out: ChampionPointer[] = [];
    for (const key of keys.sort()) {
      const stored = await this.read(key);
      if (stored) out.push(stored.pointer);
    }
    return out;
  }
}

/**
 * Read → decide → compare-and-set, again on conflict. `decide` sees the current pointer and
 * returns the next one, or null to leave it alone (e.g. the new champion is better than ours).
 */
export async function updatePointer<T extends ChampionPointer>(
  store: ChampionStore,
  symbol: string,
  decide: (current: ChampionPointer | null) => Promise<T | null> | T | null,
  attempts = 5,
): Promise<{ pointer: T; revision: number; previous: ChampionPointer | null } | null> {
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const current = await store.read(symbol);
    const next = await decide(current?.pointer ?? null);
    if (next === null) return null;
    const revision = await store.write(symbol, next, current?.revision ?? null);
    if (revision !== "conflict") return { pointer: next, revision, previous: current?.pointer ?? null };
  }
  throw new ChampionConflict(`champion pointer of ${symbol} changed under ${attempts} consecutive attempts`);
}
