import { test } from "node:test";
import assert from "node:assert/strict";
import { BACKENDS } from "./fixtures/backends.js";
import { readings, readingsDefinition, readingsMapping } from "./fixtures/tables.js";
import { DeltaTable } from "../../src/lake/table/table.js";
import { optimize, planCompaction, vacuum } from "../../src/lake/table/maintenance.js";
import { LakeWriter } from "../../src/lake/writer/lake-writer.js";
import { LakeConcurrentModification } from "../../src/lake/errors.js";
import { keyOfPath } from "../../src/lake/table/paths.js";
import type { AddFile } from "../../src/lake/delta/actions.js";
import type { Storage } from "../../src/lake/storage/types.js";

/** A new readings table with `commits` commits of `rowsEach` fresh readings (one small file per partition each time). */
async function readingsInCommits(storage: Storage, commits: number, rowsEach: number): Promise<DeltaTable> {
  const table = await DeltaTable.createIfAbsent(storage, readingsDefinition);
  const writer = new LakeWriter({ table, mapping: readingsMapping, appId: "r" });
  for (let i = 0; i < commits; i++) {
    writer.add(readings(rowsEach, i * rowsEach), i);
    await writer.flush();
  }
  return table;
}

const canon = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).sort()))).sort();

test("planCompaction groups small files per partition and skips lone or large ones", () => {
  const f = (path: string, sensor: string, size: number): AddFile => ({ path, partitionValues: { sensor }, size, modificationTime: 0, dataChange: true });
  const plan = planCompaction([f("a", "x", 10), f("b", "x", 20), f("c", "y", 10), f("d", "z", 10), f("e", "z", 999)], ["sensor"], { smallFileBytes: 100 });
  assert.deepEqual(plan.map((g) => g.map((x) => x.path)), [["a", "b"]]);
});

for (const backend of BACKENDS) {
  test(`optimize + vacuum (${backend.name})`, async () => {
    await using fx = await backend.open();
    const table = await readingsInCommits(fx.storage, 5, 8);
    const before = await table.snapshot();
    const rowsBefore = await table.read();
    assert.equal(rowsBefore.length, 40);
    const partitions = new Set([...before.files.values()].map((f) => JSON.stringify(f.partitionValues))).size;

    const result = await optimize(table);
    assert.equal(result.filesAdded, partitions);
    assert.equal(result.filesRemoved, before.files.size);
    assert.equal(result.rows, 40);
    const after = await table.snapshot();
    assert.equal(after.files.size, partitions);
    assert.equal(after.txns.get("r"), 4, "compaction keeps the writers' txn");
    assert.deepEqual(canon(await table.read()), canon(rowsBefore));
    const commit = (await table.log.readCommit(after.version))!;
    for (const a of commit) {
      if (a.type === "add") assert.equal(a.add.dataChange, false);
      if (a.type === "remove") assert.equal(a.remove.dataChange, false);
    }
    assert.equal((await table.history(1))[0]?.operation, "OPTIMIZE");
    // Time travel still works until vacuum.
    assert.deepEqual(canon(await table.read({ version: before.version })), canon(rowsBefore));
    // Nothing left to compact.
    assert.equal((await optimize(table)).version, undefined);

    // An orphan from a writer that died between writing a file and committing it.
    const orphan = await table.writeDataFile(readingsDefinition, { sensor: "s9", day: "2024-08-08" }, readingsMapping.toColumns(readings(2)));
    const removed = [...before.files.values()].map((f) => keyOfPath(f.path)).sort();

    const recent = await vacuum(table, { retentionMs: 3600_000, dryRun: true });
    assert.deepEqual(recent.deleted, [], "within retention nothing is deleted");
    const later = Date.now() + 2 * 3600_000;
    const dry = await vacuum(table, { retentionMs: 3600_000, now: later, dryRun: true });
    assert.deepEqual(dry.deleted.sort(), [...removed, keyOfPath(orphan.path)].sort());
    assert.ok(await fx.storage.head(removed[0]!), "dry run deletes nothing");
    const real = await vacuum(table, { retentionMs: 3600_000, now: later });
    assert.deepEqual(real.deleted.sort(), dry.deleted.sort());
    assert.equal(await fx.storage.head(removed[0]!), undefined);
    assert.deepEqual(canon(await new DeltaTable(fx.storage).read()), canon(rowsBefore));
    assert.ok((await fx.storage.list("_delta_log/")).length > 0, "the log is never vacuumed");
  });

  test(`concurrent optimize (${backend.name}): one wins, the other aborts or finds nothing; no duplicate rows`, async () => {
    await using fx = await backend.open();
    const table = await readingsInCommits(fx.storage, 3, 6);
    const results = await Promise.allSettled([optimize(new DeltaTable(fx.storage)), optimize(new DeltaTable(fx.storage))]);
    const won = results.filter((r) => r.status === "fulfilled" && r.value.version !== undefined);
    assert.equal(won.length, 1);
    for (const r of results) {
      if (r.status === "rejected") assert.ok(r.reason instanceof LakeConcurrentModification, String(r.reason));
    }
    assert.equal((await new DeltaTable(fx.storage).read()).length, 18);
  });
}

for (const backend of BACKENDS) {
  test(`concurrent writers and compaction on one table (${backend.name}): every commit lands once, txns are kept`, async () => {
    await using fx = await backend.open();
    await DeltaTable.createIfAbsent(fx.storage, readingsDefinition);
    const a = new LakeWriter({ table: new DeltaTable(fx.storage), mapping: readingsMapping, appId: "a" });
    const b = new LakeWriter({ table: new DeltaTable(fx.storage), mapping: readingsMapping, appId: "b" });
    const compactor = new DeltaTable(fx.storage);
    const rounds = 6;
    for (let i = 0; i < rounds; i++) {
      a.add(readings(5, i * 10, ["s1"]), i + 1);
      b.add(readings(5, i * 10 + 5, ["s2"]), i + 1);
      // Both writers race for the same next version; compaction races them every other round.
      const results = await Promise.allSettled([a.flush(), b.flush(), ...(i % 2 ? [optimize(compactor, { minFiles: 2 })] : [])]);
      for (const r of results) {
        if (r.status === "rejected") assert.ok(r.reason instanceof LakeConcurrentModification, String(r.reason));
      }
      assert.equal(a.pendingRows + b.pendingRows, 0, "appends never lose a race for good: they retry on the new version");
    }
    const table = new DeltaTable(fx.storage);
    const snap = await table.snapshot();
    assert.equal(snap.txns.get("a"), rounds);
    assert.equal(snap.txns.get("b"), rounds);
    const rows = await table.read();
    assert.equal(rows.length, rounds * 10);
    assert.equal(new Set(rows.map((r) => r.at)).size, rounds * 10, "no duplicates");
    const versions = (await table.history()).map((h) => h.version);
    assert.deepEqual(versions, [...versions].sort((x, y) => y - x));
    assert.equal(new Set(versions).size, versions.length);
  });
}
