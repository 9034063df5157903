/**
 * npm run lake -- [--lake <dir|s3://bucket/prefix>] [--json] <command>
 *   tables | history <table> [--limit N] | show <table> [--version N] [--limit N]
 *   | optimize <table> | vacuum <table> [--dry-run] [--retention-hours H]
 * The lake root comes from --lake, else LAKE_URI, else ./data/lake (S3 settings: see src/lake/config.ts).
 */
import { pathToFileURL } from "node:url";
import { Lake } from "../lake/lake.js";
import { lakeCliSettings } from "../config/lake-cli.js";
import { optimize, vacuum, DEFAULT_RETENTION_MS } from "../lake/table/maintenance.js";
import { DeltaTable } from "../lake/table/table.js";
import { parseSchemaString } from "../lake/delta/schema.js";

export const USAGE = `usage: npm run lake -- [--lake <dir|s3://bucket/prefix>] [--json] <command>
commands:
  tables                                   list the tables under the lake root
  history <table> [--limit N]              versions, newest first
  show <table> [--version N] [--limit N]   rows of the latest (or a past) version
  optimize <table>                         compact small files per partition
  vacuum <table> [--dry-run] [--retention-hours H]   delete unreferenced files older than H (default 168)`;

const BOOLEAN_FLAGS = new Set(["dry-run", "json", "help"]);

export class LakeCliUsageError extends Error {
  override readonly name = "LakeCliUsageError";
}

export function parseLakeArgs(argv: readonly string[]): { positionals: string[]; flags: Map<string, string> } {
  const positionals: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      positionals.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (BOOLEAN_FLAGS.has(name)) flags.set(name, inline ?? "true");
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new LakeCliUsageError(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return { positionals, flags };
}

function intFlag(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new LakeCliUsageError(`--${name} must be a non-negative integer (got "${v}")`);
  return n;
}

function formatValue(v: unknown, type: string | undefined): unknown {
  if (type === "timestamp" && typeof v === "number") return new Date(v).toISOString();
  return v;
}

/** Runs one command; returns what to print. Pure apart from the lake I/O, so tests call it directly. */
export async function runLakeCli(argv: readonly string[], env: Record<string, string | undefined>): Promise<{ text: string; json: unknown }> {
  const { positionals, flags } = parseLakeArgs(argv);
  const [command, tableName] = positionals;
  if (!command || flags.has("help")) return { text: USAGE, json: { usage: USAGE } };
  const config = lakeCliSettings(env, flags.get("lake"));
  const lake = Lake.open(config.uri, config.s3);
  const needTable = (): DeltaTable => {
    if (!tableName) throw new LakeCliUsageError(`${command} needs a table name\n${USAGE}`);
    return lake.table(tableName);
  };
  switch (command) {
    case "tables": {
      const names = await lake.tables();
      return { text: names.length ? names.join("\n") : `(no tables under ${lake.storage.uri})`, json: names };
    }
    case "history": {
      const entries = await needTable().history(intFlag(flags, "limit"));
      const lines = entries.map((h) => `${String(h.version).padStart(6)}  ${new Date(h.timestamp).toISOString()}  ${h.operation ?? "?"}  ${JSON.stringify(h.operationParameters ?? {})}`);
      return { text: lines.join("\n"), json: entries.map(({ commitInfo: _c, ...h }) => h) };
    }
    case "show": {
      const table = needTable();
      const snap = await table.snapshot({ version: intFlag(flags, "version") });
      const types = new Map(parseSchemaString(snap.metadata.schemaString).map((c) => [c.name, c.type as string]));
      const rows = await table.read({ version: snap.version, limit: intFlag(flags, "limit") ?? 20 });
      const shown = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, formatValue(v, types.get(k))])));
      const head = `version ${snap.version}, ${snap.files.size} files, ${[...snap.files.values()].reduce((n, f) => n + f.size, 0)} bytes; showing ${shown.length} rows`;
      return { text: [head, ...shown.map((r) => JSON.stringify(r))].join("\n"), json: { version: snap.version, rows: shown } };
    }
    case "optimize": {
      const r = await optimize(needTable());
      const text = r.version === undefined ? "nothing to compact" : `version ${r.version}: ${r.filesRemoved} files → ${r.filesAdded} in ${r.partitions} partitions (${r.rows} rows)`;
      return { text, json: r };
    }
    case "vacuum": {
      const hours = flags.get("retention-hours");
      const retentionMs = hours === undefined ? DEFAULT_RETENTION_MS : Number(hours) * 3600_000;
      if (!(retentionMs >= 0)) throw new LakeCliUsageError(`--retention-hours must be a number >= 0 (got "${hours}")`);
      const r = await vacuum(needTable(), { dryRun: flags.get("dry-run") === "true", retentionMs });
      const verb = r.dryRun ? "would delete" : "deleted";
      return { text: [`${verb} ${r.deleted.length} files (${r.bytes} bytes)`, ...r.deleted].join("\n"), json: r };
    }
    default:
      throw new LakeCliUsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  try {
    const { text, json } = await runLakeCli(argv, process.env);
    process.stdout.write((argv.includes("--json") ? JSON.stringify(json, null, 2) : text) + "\n");
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
    process.exitCode = err instanceof LakeCliUsageError ? 2 : 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
