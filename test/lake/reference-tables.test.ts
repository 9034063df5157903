import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalStorage } from "../../src/lake/storage/local.js";
import { DeltaTable } from "../../src/lake/table/table.js";
import { decodeParquet, type Row } from "../../src/lake/parquet/decode.js";
import { sharedData } from "../helpers/shared-data.js";

// Tables written by Spark (dat) and by delta-rs' test suite, read in place (read-only).
const DATA = sharedData("delta");

const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort()))).sort();

test("dat basic_append: exact rows and live files at every version", async () => {
  const root = join(DATA, "dat-basic_append");
  const table = new DeltaTable(new LocalStorage(join(root, "delta")));
  const latest = await table.snapshot();
  assert.equal(latest.version, 1);
  for (const [dir, version, files] of [["v0", 0, 1], ["v1", 1, 2], ["latest", undefined, 2]] as const) {
    const meta = JSON.parse(readFileSync(join(root, "expected", dir, "table_version_metadata.json"), "utf8")) as {
      version: number;
      min_reader_version: number;
      min_writer_version: number;
    };
    const expected = await decodeParquet(new Uint8Array(readFileSync(join(root, "expected", dir, "table_content.parquet"))));
    const snap = await table.snapshot({ version });
    assert.equal(snap.version, meta.version, `${dir} version`);
    assert.equal(snap.protocol.minReaderVersion, meta.min_reader_version);
    assert.equal(snap.protocol.minWriterVersion, meta.min_writer_version);
    assert.equal(snap.files.size, files, `${dir} live files`);
    const rows = await table.read({ version: snap.version });
    assert.deepEqual(canon(rows), canon(expected), `${dir} rows`);
  }
  const v0 = await table.read({ version: 0 });
  assert.deepEqual(v0.map((r) => r.letter).sort(), ["a", "b", "c"]);
});

test("delta-rs delta-0.8.0: DELETE leaves two live files, one tombstone, values {0,1,2,4}", async () => {
  const root = join(DATA, "delta-rs-delta-0.8.0");
  const expected = JSON.parse(readFileSync(join(root, "expected.json"), "utf8")) as {
    expected_version: number;
    expected_active_files: string[];
    expected_values_sorted: number[];
    expected_total_num_records_from_stats: number;
    expected_tombstones: { path: string; deletionTimestamp: number }[];
  };
  const table = new DeltaTable(new LocalStorage(join(root, "delta")));
  const snap = await table.snapshot();
  assert.equal(snap.version, expected.expected_version);
  assert.deepEqual([...snap.files.keys()].sort(), [...expected.expected_active_files].sort());
  assert.deepEqual(
    [...snap.tombstones.values()].map((t) => ({ path: t.path, deletionTimestamp: t.deletionTimestamp })),
    expected.expected_tombstones,
  );
  const rows = await table.read();
  assert.deepEqual(rows.map((r) => r.value).sort(), expected.expected_values_sorted);
  const fromStats = [...snap.files.values()].reduce((n, f) => n + (JSON.parse(f.stats ?? "{}") as { numRecords: number }).numRecords, 0);
  assert.equal(fromStats, expected.expected_total_num_records_from_stats);

  const v0 = await table.snapshot({ version: 0 });
  assert.equal(v0.files.size, 2);
  assert.deepEqual((await table.read({ version: 0 })).map((r) => r.value).sort(), [0, 1, 2, 3, 4]);
  // Time travel by timestamp: just before the DELETE's commit time is still version 0.
  assert.equal((await table.snapshot({ timestamp: 1615043776198 })).version, 0);
  assert.equal((await table.snapshot({ timestamp: 1615043776199 })).version, 1);
  // Stats pruning: value = 1 can only be in the [0,2] file.
  assert.deepEqual(table.files(snap, [{ column: "value", op: "=", value: 1 }]).length, 1);
  assert.deepEqual(table.files(snap, [{ column: "value", op: ">", value: 4 }]).length, 0);
});
