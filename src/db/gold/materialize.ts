import { assertNever } from "../../runtime/assert-never.js";
import type { Database, Queryable } from "../database.js";
import { renderModelSql, type ModelFile } from "./model-file.js";

export type RelationKind = "view" | "table" | undefined;

export async function relationKind(q: Queryable, name: string): Promise<RelationKind> {
  const { rows } = await q.query<{ table_type: string }>(
    "SELECT table_type FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1",
    [name],
  );
  const t = rows[0]?.table_type;
  return t === "VIEW" ? "view" : t === undefined ? undefined : "table";
}

async function dropRelation(q: Queryable, name: string): Promise<void> {
  const kind = await relationKind(q, name);
  // CASCADE drops views reading this relation; they are downstream models and get rebuilt after it.
  if (kind) await q.exec(`DROP ${kind === "view" ? "VIEW" : "TABLE"} ${name} CASCADE`);
}

async function countRows(q: Queryable, name: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*) AS n FROM ${name}`);
  return rows[0]!.n;
}

/** Builds `<name>__build` from the model and swaps it in, in one transaction: readers see the old or the new table. */
async function buildTable(tx: Queryable, model: ModelFile): Promise<number> {
  const build = `${model.name}__build`;
  await tx.exec(`DROP TABLE IF EXISTS ${build}`);
  await tx.exec(`CREATE TABLE ${build} AS ${renderModelSql(model, { incremental: false })}`);
  await dropRelation(tx, model.name);
  await tx.exec(`ALTER TABLE ${build} RENAME TO ${model.name}`);
  if (model.uniqueKey.length > 0) await tx.exec(`CREATE UNIQUE INDEX ${model.name}__key ON ${model.name} (${model.uniqueKey.join(", ")})`);
  return countRows(tx, model.name);
}

/** Upserts the model's (incremental) SELECT into the existing table, keyed by unique_key. */
async function mergeIncremental(tx: Queryable, model: ModelFile): Promise<number> {
  const { rows } = await tx.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    [model.name],
  );
  const cols = rows.map((r) => r.column_name);
  const updates = cols.filter((c) => !model.uniqueKey.includes(c)).map((c) => `${c} = EXCLUDED.${c}`);
  const onConflict = updates.length > 0 ? `DO UPDATE SET ${updates.join(", ")}` : "DO NOTHING";
  const sql =
    `INSERT INTO ${model.name} (${cols.join(", ")}) SELECT ${cols.join(", ")} FROM (${renderModelSql(model, { incremental: true })}) AS model_rows ` +
    `ON CONFLICT (${model.uniqueKey.join(", ")}) ${onConflict}`;
  return (await tx.query(sql)).rowCount;
}

/** Materialises one model; returns rows in the table, rows merged (incremental), or undefined for a view. */
export async function materialize(db: Database, model: ModelFile, { fullRefresh }: { fullRefresh: boolean }): Promise<number | undefined> {
  return db.transaction(async (tx) => {
    // Nodes running the transform at once take turns per model (per schema): concurrent merges of the same keys could deadlock, and concurrent swaps would do the work twice at once.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('tickhouse.gold'), hashtext(current_schema()))");
    switch (model.materialized) {
      case "view":
        await dropRelation(tx, model.name);
        await tx.exec(`CREATE VIEW ${model.name} AS ${renderModelSql(model, { incremental: false })}`);
        return undefined;
      case "table":
        return buildTable(tx, model);
      case "incremental":
        if (fullRefresh || (await relationKind(tx, model.name)) !== "table") return buildTable(tx, model);
        return mergeIncremental(tx, model);
      default:
        return assertNever(model.materialized, "materialization");
    }
  });
}
