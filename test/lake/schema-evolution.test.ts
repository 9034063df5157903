import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lake, type ColumnSpec } from "../../src/lake/index.js";
import { toSchemaString } from "../../src/lake/delta/schema.js";
import { DeltaTable, columnsToAdd } from "../../src/lake/table/table.js";

test("files written before a column was added read back with that column null, at every version", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lake-evolve-"));
  try {
    const v1: ColumnSpec[] = [
      { name: "id", type: "long", nullable: false },
      { name: "a", type: "string", nullable: true },
    ];
    const table = await Lake.open(dir).ensureTable({ name: "evolving", columns: v1, partitionColumns: [] });
    const first = await table.writeDataFile({ columns: v1, partitionColumns: [] }, {}, { numRows: 2, columns: new Map<string, ArrayLike<unknown>>([["id", [1, 2]], ["a", ["x", "y"]]]) });
    await table.commitWith(() => [{ type: "add", add: first }], { operation: "WRITE" });

    const v2: ColumnSpec[] = [...v1, { name: "b", type: "double", nullable: true }];
    const second = await table.writeDataFile({ columns: v2, partitionColumns: [] }, {}, { numRows: 1, columns: new Map<string, ArrayLike<unknown>>([["id", [3]], ["a", ["z"]], ["b", [1.5]]]) });
    await table.commitWith((s) => [{ type: "metaData", metaData: { ...s.metadata, schemaString: toSchemaString(v2) } }, { type: "add", add: second }], { operation: "WRITE" });

    const latest = (await table.read()).sort((p, q) => Number(p.id) - Number(q.id));
    assert.deepEqual(latest, [
      { id: 1, a: "x", b: null },
      { id: 2, a: "y", b: null },
      { id: 3, a: "z", b: 1.5 },
    ]);
    assert.deepEqual(await table.read({ columns: ["b"] }).then((rows) => rows.map((r) => r.b).sort()), [1.5, null, null]);
    assert.deepEqual((await table.read({ version: 1 })).map((r) => Object.keys(r).sort()), [["a", "id"], ["a", "id"]], "time travel reads the old schema");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a definition grown by a nullable column (a field added to a contract) opens an existing table into it once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lake-grow-"));
  try {
    const v1: ColumnSpec[] = [
      { name: "id", type: "long", nullable: false },
      { name: "a", type: "string", nullable: true },
    ];
    const old = await Lake.open(dir).ensureTable({ name: "growing", columns: v1, partitionColumns: [] });
    const first = await old.writeDataFile({ columns: v1, partitionColumns: [] }, {}, { numRows: 1, columns: new Map<string, ArrayLike<unknown>>([["id", [1]], ["a", ["x"]]]) });
    await old.commitWith(() => [{ type: "add", add: first }], { operation: "WRITE" });

    // The new field sits between the others in the definition; the table appends it.
    const v2: ColumnSpec[] = [v1[0]!, { name: "b", type: "double", nullable: true }, v1[1]!];
    const grown = await Lake.open(dir).ensureTable({ name: "growing", columns: v2, partitionColumns: [] });
    const s = await grown.snapshot();
    assert.deepEqual(DeltaTable.schemaOf(s).columns.map((c) => c.name), ["id", "a", "b"]);
    assert.equal((await grown.history(1))[0]?.operation, "ADD COLUMNS");
    const second = await grown.writeDataFile({ columns: v2, partitionColumns: [] }, {}, { numRows: 1, columns: new Map<string, ArrayLike<unknown>>([["id", [2]], ["b", [2.5]], ["a", ["y"]]]) });
    await grown.commitWith(() => [{ type: "add", add: second }], { operation: "WRITE" });
    assert.deepEqual((await grown.read()).sort((p, q) => Number(p.id) - Number(q.id)), [
      { id: 1, a: "x", b: null },
      { id: 2, a: "y", b: 2.5 },
    ]);

    const version = (await grown.snapshot()).version;
    await Lake.open(dir).ensureTable({ name: "growing", columns: v2, partitionColumns: [] });
    assert.equal((await grown.snapshot()).version, version, "opening again with the same definition commits nothing");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
