/** Opens the database a node or a test asks for: PostgreSQL through `pg` when a URL is given, else PGlite (drivers load on demand). */
import { checkSchemaName, type Database, type OpenDatabaseOptions } from "./database.js";

/** What a node opens from its config: PostgreSQL when DATABASE_URL is set, else PGlite under DATA_DIR/pglite. */
export function databaseOptionsFromConfig(config: { databaseUrl: string; dataDir: string }): OpenDatabaseOptions {
  return config.databaseUrl ? { url: config.databaseUrl } : { dataDir: `${config.dataDir.replace(/\/+$/, "")}/pglite` };
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.schema !== undefined) checkSchemaName(options.schema);
  if (options.url) {
    const { openPostgres } = await import("./postgres.js");
    return openPostgres(options.url, options);
  }
  const { openPglite } = await import("./pglite.js");
  return openPglite(options.dataDir, options);
}
