/**
 * The node's one database handle (PostgreSQL with DATABASE_URL, embedded PGlite otherwise), opened
 * and migrated once when the first role needs it, closed last.
 */
import type { Config } from "../../config/index.js";
import { type Database } from "../../db/database.js";
import { databaseOptionsFromConfig, openDatabase } from "../../db/open.js";
import { migrate } from "../../db/migrate.js";
import type { ShutdownSequence } from "../shutdown.js";

/** A component's database option: a handle, a function that opens the node's shared one, null for none, undefined for "open my own". */
export type DatabaseOption = Database | (() => Promise<Database>) | null | undefined;

/**
 * The database a component writes to: the one it was given, else (with DATABASE_URL) its own pool,
 * migrated and closed in the shutdown's `close` phase; undefined when there is none.
 */
export async function componentDatabase(config: Config, option: DatabaseOption, shutdown: ShutdownSequence, name: string): Promise<Database | undefined> {
  if (option !== undefined) return typeof option === "function" ? await option() : (option ?? undefined);
  if (!config.databaseUrl) return undefined;
  const own = await openDatabase(databaseOptionsFromConfig(config));
  await migrate(own); // idempotent, under an advisory lock: whichever node comes first creates the tables
  shutdown.add("close", `${name} database`, async () => {
    await own[Symbol.asyncDispose]();
  });
  return own;
}

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
