import { test } from "node:test";
import assert from "node:assert/strict";
import { Lake, type ColumnSpec } from "../../src/lake/index.js";
import { toSchemaString } from "../../src/lake/delta/schema.js";
import { DeltaTable, columnsToAdd } from "../../src/lake/table/table.js";
import type { Action } from "../../src/lake/delta/actions.js";
import type { Snapshot } from "../../src/lake/delta/replay.js";
import { tempDir } from "../helpers/temp-dir.js";

const V1: ColumnSpec[] = [
  { name: "id", type: "long", nullable: false },
  { name: "a", type: "string", nullable: true },
];

/** Writes one file of rows (column name → values) under `columns` and commits it with `extra` actions before it. */
async function appendRows(table: DeltaTable, columns: ColumnSpec[], values: [string, unknown[]][], extra: (s: Snapshot) => Action[] = () => []): Promise<void> {
  const add = await table.writeDataFile({ columns, partitionColumns: [] }, {}, { numRows: values[0]![1].length, columns: new Map<string, ArrayLike<unknown>>(values) });
  await table.commitWith((s) => [...extra(s), { type: "add", add }], { operation: "WRITE" });
}

test("files written before a column was added read back with that column null, at every version", async () => {
  using dir = tempDir("lake-evolve-");
  const table = await Lake.open(dir.path).ensureTable({ name: "evolving", columns: V1, partitionColumns: [] });
  await appendRows(table, V1, [["id", [1, 2]], ["a", ["x", "y"]]]);

  const v2: ColumnSpec[] = [...V1, { name: "b", type: "double", nullable: true }];
  await appendRows(table, v2, [["id", [3]], ["a", ["z"]], ["b", [1.5]]], (s) => [{ type: "metaData", metaData: { ...s.metadata, schemaString: toSchemaString(v2) } }]);

  const latest = (await table.read()).sort((p, q) => Number(p.id) - Number(q.id));
  assert.deepEqual(latest, [
    { id: 1, a: "x", b: null },
    { id: 2, a: "y", b: null },
    { id: 3, a: "z", b: 1.5 },
  ]);
  assert.deepEqual(await table.read({ columns: ["b"] }).then((rows) => rows.map((r) => r.b).sort()), [1.5, null, null]);
  assert.deepEqual((await table.read({ version: 1 })).map((r) => Object.keys(r).sort()), [["a", "id"], ["a", "id"]], "time travel reads the old schema");
});

test("a definition grown by a nullable column (a field added to a contract) opens an existing table into it once", async () => {
  using dir = tempDir("lake-grow-");
  const old = await Lake.open(dir.path).ensureTable({ name: "growing", columns: V1, partitionColumns: [] });
  await appendRows(old, V1, [["id", [1]], ["a", ["x"]]]);

  // The new field sits between the others in the definition; the table appends it.
  const v2: ColumnSpec[] = [V1[0]!, { name: "b", type: "double", nullable: true }, V1[1]!];
  const grown = await Lake.open(dir.path).ensureTable({ name: "growing", columns: v2, partitionColumns: [] });
  const s = await grown.snapshot();
  assert.deepEqual(DeltaTable.schemaOf(s).columns.map((c) => c.name), ["id", "a", "b"]);
  assert.equal((await grown.history(1))[0]?.operation, "ADD COLUMNS");
  await appendRows(grown, v2, [["id", [2]], ["b", [2.5]], ["a", ["y"]]]);
  assert.deepEqual((await grown.read()).sort((p, q) => Number(p.id) - Number(q.id)), [
    { id: 1, a: "x", b: null },
    { id: 2, a: "y", b: 2.5 },
  ]);

  const version = (await grown.snapshot()).version;
  await Lake.open(dir.path).ensureTable({ name: "growing", columns: v2, partitionColumns: [] });
  assert.equal((await grown.snapshot()).version, version, "opening again with the same definition commits nothing");
});

test("two nodes opening a grown definition at once add the columns in one commit", async () => {
  using dir = tempDir("lake-grow-race-");
  await Lake.open(dir.path).ensureTable({ name: "racing", columns: V1, partitionColumns: [] });
  const v2: ColumnSpec[] = [...V1, { name: "b", type: "double", nullable: true }, { name: "c", type: "string", nullable: true }];
  const [one, two] = await Promise.all([1, 2].map(() => Lake.open(dir.path).ensureTable({ name: "racing", columns: v2, partitionColumns: [] })));
  const history = await one!.history();
  assert.equal(history.filter((h) => h.operation === "ADD COLUMNS").length, 1, "the loser of the race finds the columns there and commits nothing");
  assert.deepEqual(DeltaTable.schemaOf(await two!.snapshot()).columns.map((c) => c.name), ["id", "a", "b", "c"]);
});

test("only nullable columns added to an unchanged table are a growth", () => {
  const id: ColumnSpec = { name: "id", type: "long", nullable: false };
  const a: ColumnSpec = { name: "a", type: "string", nullable: true };
  const b: ColumnSpec = { name: "b", type: "double", nullable: true };
  assert.deepEqual(columnsToAdd([id, a], [id, b, a]), [b]);
  assert.deepEqual(columnsToAdd([id, a], [id, a]), []);
  assert.deepEqual(columnsToAdd([id, a], [id, { ...b, nullable: false }]), [], "a required new column: old rows could not have it");
  assert.deepEqual(columnsToAdd([id, a], [id, { ...a, type: "long" }, b]), [], "a retyped column");
  assert.deepEqual(columnsToAdd([id, a], [id, b]), [], "a dropped column");
});
