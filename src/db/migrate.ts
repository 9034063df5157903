import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Database } from "./database.js";
import { MigrationError } from "./errors.js";

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  /** Versions this call applied, in order. */
  applied: number[];
  /** Versions found already applied. */
  alreadyApplied: number[];
  /** Versions in the database this code does not know (a newer node migrated first). */
  unknown: number[];
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations/", import.meta.url));

/** Reads `NNNN_name.sql` files in version order. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((file): Migration => {
      const match = FILE.exec(file);
      if (!match) throw new MigrationError(`migration file "${file}" must be named NNNN_name.sql`);
      const sql = readFileSync(`${dir}/${file}`, "utf8");
      return { version: Number(match[1]), name: match[2]!, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    })
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) throw new MigrationError(`two migrations have version ${migrations[i]!.version}`);
  }
  return migrations;
}

function label(m: Migration): string {
  return `${String(m.version).padStart(4, "0")}_${m.name}`;
}

/**
 * Applies pending migrations in one transaction, under a transaction-scoped advisory lock keyed
 * by the current schema: nodes starting together queue on the lock, and each one that gets it
 * sees what the others committed (READ COMMITTED takes a new snapshot per statement). An edited
 * migration that was already applied is refused rather than silently skipped.
 */
export async function migrate(db: Database, migrations: Migration[] = loadMigrations()): Promise<MigrationReport> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('tickhouse.migrate'), hashtext(current_schema()))");
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>("SELECT version, name, checksum FROM schema_migrations ORDER BY version");
    const done = new Map(rows.map((r) => [r.version, r]));
    const known = new Set(migrations.map((m) => m.version));
    const report: MigrationReport = { applied: [], alreadyApplied: [], unknown: rows.filter((r) => !known.has(r.version)).map((r) => r.version) };
    for (const m of migrations) {
      const prior = done.get(m.version);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          throw new MigrationError(`migration ${label(m)} was changed after it was applied (checksum ${prior.checksum.slice(0, 12)} in the database); add a new migration instead`);
        }
        report.alreadyApplied.push(m.version);
        continue;
      }
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new MigrationError(`migration ${label(m)} failed: ${(err as Error).message}`, { cause: err });
      }
      await tx.query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [m.version, m.name, m.checksum]);
      report.applied.push(m.version);
    }
    return report;
  });
}
