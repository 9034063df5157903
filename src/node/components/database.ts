/**
 * The node's one database handle (PostgreSQL with DATABASE_URL, embedded PGlite otherwise), opened
 * and migrated once when the first role needs it, closed last.
 */
import type { Config } from "../../config/index.js";
import { databaseOptionsFromConfig, openDatabase, type Database } from "../../db/database.js";
import { migrate } from "../../db/migrate.js";

export class NodeDatabase {
  #opening: Promise<Database> | undefined;

  constructor(private readonly config: Config) {}

  get(): Promise<Database> {
    this.#opening ??= (async () => {
      const db = await openDatabase(databaseOptionsFromConfig(this.config));
      await migrate(db);
      return db;
    })();
    return this.#opening;
  }

  async close(): Promise<void> {
    if (!this.#opening) return;
    const db = await this.#opening.catch(() => undefined);
    await db?.close();
  }
}
