/**
 * A Trainer on PostgreSQL (fresh schema), a temp lake and the real pool; the champion store is an
 * in-memory ChampionStore with the same compare-and-set contract (the KV one is tested against a
 * real nats-server in champion-cache.test.ts).
 */
import { migrate } from "../../src/db/index.js";
import { LocalStorage } from "../../src/lake/index.js";
import { TrainingPool } from "../../src/ml/pool/index.js";
import { ArtifactStore, InMemorySilverSource, Trainer, type ChampionPointer, type ChampionStore, type MlopsEvent, type TrainerOptions } from "../../src/mlops/index.js";
import { postgresBackend } from "../db/fixtures.js";
import { tempDir } from "./support.js";

export class MemoryChampionStore implements ChampionStore {
  readonly entries = new Map<string, { pointer: ChampionPointer; revision: number }>();
  #revision = 0;
  async read(symbol: string) {
    return this.entries.get(symbol) ?? null;
  }
  async write(symbol: string, pointer: ChampionPointer, expected: number | null) {
    if ((this.entries.get(symbol)?.revision ?? null) !== expected) return "conflict" as const;
    this.entries.set(symbol, { pointer, revision: ++this.#revision });
    return this.#revision;
  }
  async list() {
    return [...this.entries.values()].map((e) => e.pointer);
  }
}

export async function trainerFixture() {
  const db = await postgresBackend().open();
  await migrate(db);
  const dir = tempDir();
  const pool = new TrainingPool({ maxThreads: 1 });
  const store = new MemoryChampionStore();
  const source = new InMemorySilverSource();
  const events: MlopsEvent[] = [];
  const trainer = (algorithms?: ("elasticnet" | "gradient-boosting")[], maxBars?: number, more: Partial<TrainerOptions> = {}) =>
    new Trainer({ source, pool, db, store, artifacts: new ArtifactStore(new LocalStorage(dir.path)), events: (e) => events.push(e), ...(algorithms ? { algorithms } : {}), ...(maxBars ? { maxBars } : {}), ...more });
  return {
    db, store, source, events, trainer,
    async [Symbol.asyncDispose]() {
      await pool.close({ force: true });
      await db[Symbol.asyncDispose]();
      dir[Symbol.dispose]();
    },
  };
}
