import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { BACKENDS } from "./fixtures/backends.js";
import { readings, readingsDefinition, readingsMapping, type Reading } from "./fixtures/tables.js";
import { duckQuery } from "./fixtures/duckdb.js";
import { tempDir } from "../helpers/temp-dir.js";
import { DeltaTable } from "../../src/lake/table/table.js";
import { LakeCommitConflict, LakeVersionNotFound } from "../../src/lake/errors.js";
import { applyCommit, emptyBuilder, finish } from "../../src/lake/delta/replay.js";
import { commitKey, parseCommit, serializeCommit, type Action } from "../../src/lake/delta/actions.js";
import { LocalStorage } from "../../src/lake/storage/local.js";
import type { Storage } from "../../src/lake/storage/types.js";

const add = (path: string, part = {}): Action => ({ type: "add", add: { path, partitionValues: part, size: 1, modificationTime: 1, dataChange: true } });
const remove = (path: string): Action => ({ type: "remove", remove: { path, deletionTimestamp: 5, dataChange: true } });
const header: Action[] = [
  { type: "protocol", protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  { type: "metaData", metaData: { id: "x", format: { provider: "parquet", options: {} }, schemaString: '{"type":"struct","fields":[]}', partitionColumns: [], configuration: {} } },
];

test("replay: table of commits → live files, tombstones and txns", () => {
  const cases: { name: string; commits: Action[][]; files: string[]; tombstones: string[]; txns: [string, number][] }[] = [
    { name: "appends", commits: [[...header, add("a")], [add("b")]], files: ["a", "b"], tombstones: [], txns: [] },
    { name: "remove then re-add", commits: [[...header, add("a")], [remove("a")], [add("a")]], files: ["a"], tombstones: [], txns: [] },
    { name: "compaction", commits: [[...header, add("a"), add("b")], [remove("a"), remove("b"), add("c")]], files: ["c"], tombstones: ["a", "b"], txns: [] },
    {
      name: "txn keeps the latest version per app",
      commits: [[...header, { type: "txn", txn: { appId: "w", version: 3 } }], [{ type: "txn", txn: { appId: "w", version: 9 } }, { type: "txn", txn: { appId: "v", version: 1 } }]],
      files: [],
      tombstones: [],
      txns: [["v", 1], ["w", 9]],
    },
    { name: "encoded and plain paths are the same file", commits: [[...header, add("d%3Dx/f")], [remove("d=x/f")]], files: [], tombstones: ["d=x/f"], txns: [] },
  ];
  for (const c of cases) {
    const b = emptyBuilder();
    c.commits.forEach((actions, v) => applyCommit(b, v, parseCommit(serializeCommit(actions), c.name), 0));
    const s = finish(b);
    assert.deepEqual([...s.files.keys()].sort(), c.files, c.name);
    assert.deepEqual([...s.tombstones.keys()].sort(), c.tombstones, c.name);
    assert.deepEqual([...s.txns].sort(), c.txns, c.name);
  }
});

test("replay: unknown actions are kept as 'other' and skipped; a reader-v3 table is refused", () => {
  const parsed = parseCommit('{"domainMetadata":{"domain":"x"}}\n' + serializeCommit(header), "t");
  assert.equal(parsed[0]?.type, "other");
  const b = emptyBuilder();
  applyCommit(b, 0, [{ type: "protocol", protocol: { minReaderVersion: 3, minWriterVersion: 7 } }, header[1]!], 0);
  assert.throws(() => finish(b), /reader version 3/);
});

async function writeBatch(table: DeltaTable, rows: Reading[], appId?: string, seq?: number): Promise<number | undefined> {
  const groups = new Map<string, Reading[]>();
  for (const r of rows) groups.set(`${r.sensor}/${r.day}`, [...(groups.get(`${r.sensor}/${r.day}`) ?? []), r]);
  const adds = await Promise.all(
    [...groups.values()].map((g) => table.writeDataFile(readingsDefinition, readingsMapping.partitionOf(g[0]!), readingsMapping.toColumns(g))),
  );
  return table.commitWith(
    () => [...adds.map((a): Action => ({ type: "add", add: a })), ...(appId ? [{ type: "txn", txn: { appId, version: seq! } } as Action] : [])],
    { operation: "WRITE" },
  );
}

for (const backend of BACKENDS) {
  test(`log (${backend.name}): a conflicting commit fails, commitWith retries on the new version`, async () => {
    await using fx = await backend.open();
    const a = await DeltaTable.createIfAbsent(fx.storage, readingsDefinition);
    const b = new DeltaTable(fx.storage);
    const snapA = await a.snapshot();
    const snapB = await b.snapshot();
    assert.equal(await a.log.commit(snapA, [add("x.parquet")]), 1);
    await assert.rejects(b.log.commit(snapB, [add("y.parquet")]), (e: unknown) => e instanceof LakeCommitConflict && e.version === 1);
    // Concurrent optimistic writers: every one lands on its own version.
    const writers = Array.from({ length: 6 }, () => new DeltaTable(fx.storage));
    const versions = await Promise.all(writers.map((w, i) => w.commitWith(() => [add(`w${i}.parquet`)], { operation: "WRITE" })));
    assert.deepEqual([...versions].sort((x, y) => x! - y!), [2, 3, 4, 5, 6, 7]);
    const latest = await new DeltaTable(fx.storage).snapshot();
    assert.equal(latest.version, 7);
    assert.equal(latest.files.size, 7);
  });

  test(`log (${backend.name}): checkpoints every N commits; reads survive log cleanup; DuckDB reads the checkpoint`, async () => {
    await using fx = await backend.open();
    const table = await DeltaTable.createIfAbsent(fx.storage, readingsDefinition, { checkpointInterval: 5 });
    for (let i = 0; i < 12; i++) await writeBatch(table, readings(4, i * 4), "app", i);
    const keys = (await fx.storage.list("_delta_log/")).map((o) => o.key);
    assert.ok(keys.includes("_delta_log/00000000000000000005.checkpoint.parquet"));
    assert.ok(keys.includes("_delta_log/00000000000000000010.checkpoint.parquet"));
    assert.equal(JSON.parse(new TextDecoder().decode(await fx.storage.get("_delta_log/_last_checkpoint"))).version, 10);
    const before = await new DeltaTable(fx.storage).read();
    const filesAt10 = [...(await new DeltaTable(fx.storage).snapshot({ version: 10 })).files.keys()].sort();

    // Delete the JSON commits the checkpoint covers: a reader must now rely on the checkpoint.
    for (let v = 0; v <= 10; v++) await fx.storage.delete(commitKey(v));
    const fresh = new DeltaTable(fx.storage);
    const snap = await fresh.snapshot();
    assert.equal(snap.version, 12);
    assert.equal(snap.txns.get("app"), 11);
    assert.equal(snap.metadata.partitionColumns.join(","), "sensor,day");
    const after = await fresh.read();
    assert.equal(after.length, 48);
    assert.deepEqual(after.map((r) => r.at).sort(), before.map((r) => r.at).sort());
    assert.deepEqual([...(await fresh.snapshot({ version: 10 })).files.keys()].sort(), filesAt10);
    await assert.rejects(fresh.snapshot({ version: 3 }), LakeVersionNotFound);

    if (backend.name === "disk") {
      const root = (fx.storage as LocalStorage).root;
      const [row] = await duckQuery(
        `SELECT count(*) FILTER (WHERE "add" IS NOT NULL)::INT AS adds, count(*) FILTER (WHERE txn IS NOT NULL)::INT AS txns,
                max(txn.version)::INT AS txn_version, max(len(metaData.partitionColumns))::INT AS pcols
         FROM read_parquet('${join(root, "_delta_log/00000000000000000010.checkpoint.parquet")}')`,
      );
      assert.deepEqual(row, { adds: (await fresh.snapshot({ version: 10 })).files.size, txns: 1, txn_version: 9, pcols: 2 });
    }
  });

  test(`log (${backend.name}): time travel by version and timestamp, history, partition and stats pruning`, async () => {
    await using fx = await backend.open();
    let now = 1_700_000_000_000;
    const table = await DeltaTable.createIfAbsent(fx.storage, readingsDefinition, { now: () => now });
    now += 1000;
    await writeBatch(table, readings(6, 0));
    now += 1000;
    await writeBatch(table, readings(6, 6));
    assert.equal((await table.read({ version: 1 })).length, 6);
    assert.equal((await table.read({ version: 2 })).length, 12);
    assert.equal((await table.snapshot({ timestamp: now - 1 })).version, 1);
    assert.equal((await table.snapshot({ timestamp: now })).version, 2);
    await assert.rejects(table.snapshot({ timestamp: 0 }), LakeVersionNotFound);
    const history = await table.history();
    assert.deepEqual(history.map((h) => [h.version, h.operation]), [[2, "WRITE"], [1, "WRITE"], [0, "CREATE TABLE"]]);

    const snap = await table.snapshot();
    const onlyS1 = table.files(snap, [{ column: "sensor", op: "=", value: "s1" }]);
    assert.ok(onlyS1.length > 0 && onlyS1.every((f) => f.partitionValues.sensor === "s1"));
    const rows = await table.read({ filter: [{ column: "sensor", op: "=", value: "s2" }, { column: "day", op: "=", value: "2024-08-08" }] });
    assert.deepEqual(rows.map((r) => r.value).sort((a, b) => (a as number) - (b as number)), readings(12).filter((r) => r.sensor === "s2" && r.day === "2024-08-08").map((r) => r.value));
    // Stats pruning on a timestamp column: only files whose [min,max] of `at` can hold it.
    const t = readings(12)[11]!.at;
    const hit = table.files(snap, [{ column: "at", op: ">=", value: t }]);
    assert.ok(hit.length >= 1 && hit.length < snap.files.size, `pruned to ${hit.length} of ${snap.files.size}`);
    const nulls = await table.read({ filter: [{ column: "value", op: ">=", value: 0 }] });
    assert.equal(nulls.filter((r) => r.note === null).length, 3);
  });
}

test("log: opening an empty folder is LakeTableNotFound, a missing version is LakeVersionNotFound", async () => {
  using dir = tempDir("lake-empty-");
  const storage: Storage = new LocalStorage(dir.path);
  await assert.rejects(new DeltaTable(storage).snapshot(), /no Delta table/);
  const t = await DeltaTable.createIfAbsent(storage, readingsDefinition);
  await assert.rejects(t.snapshot({ version: 4 }), LakeVersionNotFound);
});

test("log: writer v2 duties — append-only tables refuse data removal; newer writer versions are refused", async () => {
  using dir = tempDir("lake-ao-");
  const storage = new LocalStorage(dir.path);
  const t = await DeltaTable.createIfAbsent(storage, { ...readingsDefinition, configuration: { "delta.appendOnly": "true" } });
  await t.commitWith(() => [add("a.parquet")], { operation: "WRITE" });
  await assert.rejects(t.commitWith(() => [remove("a.parquet")], { operation: "DELETE" }), /append-only/);
  const compaction: Action = { type: "remove", remove: { path: "a.parquet", deletionTimestamp: 1, dataChange: false } };
  assert.equal(await t.commitWith(() => [compaction, add("b.parquet")], { operation: "OPTIMIZE" }), 2);
  await t.log.commit(await t.snapshot(), [{ type: "protocol", protocol: { minReaderVersion: 1, minWriterVersion: 7 } }]);
  await assert.rejects(new DeltaTable(storage).commitWith(() => [add("c.parquet")], { operation: "WRITE" }), /writer version 7/);
  assert.equal((await new DeltaTable(storage).read({ columns: ["value"], filter: [{ column: "sensor", op: "=", value: "zz" }] })).length, 0);
});
