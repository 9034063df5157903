import { test } from "node:test";
import assert from "node:assert/strict";
import { CustomTableWriter, flattenRecord, readCustomTable, type CustomRow } from "../../src/custom/index.js";
import { Lake, LakeStorageError, LocalStorage } from "../../src/lake/index.js";
import { SlowStorage } from "../lake/fixtures/slow-storage.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFor } from "../helpers/wait.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);

function row(seq: number, fields: Record<string, unknown>): CustomRow {
  const f = flattenRecord(fields);
  assert.equal(f.kind, "ok");
  return { seq, source: "plant", dataType: "iot", ingestTime: T + seq, eventTime: T, values: f.kind === "ok" ? f.values : new Map() };
}

/** Local storage whose next Delta commit is written and then reported as failed (a store timing out after the write). */
class LyingStorage extends LocalStorage {
  lieOnNextCommit = false;
  override async putIfAbsent(key: string, bytes: Uint8Array): Promise<boolean> {
    const ok = await super.putIfAbsent(key, bytes);
    if (this.lieOnNextCommit && key.includes("_delta_log/") && key.endsWith(".json")) {
      this.lieOnNextCommit = false;
      throw new LakeStorageError("timed out (test): the commit landed anyway");
    }
    return ok;
  }
}

test("CustomTableWriter: schema grows by versions, conflicts change nothing, a reopened writer skips committed rows", async () => {
  using dir = tempDir("custom-writer-");
  const lake = Lake.open(dir.path);
  const w = await CustomTableWriter.open(lake, "custom.plant.iot");
  assert.deepEqual(w.offer(row(1, { sensor_id: "a", temp: 1 })), { kind: "buffered", added: ["sensor_id", "temp"] });
  assert.deepEqual(w.offer(row(2, { sensor_id: "b", temp: 2.5 })), { kind: "buffered", added: [] });
  const f1 = await w.flush();
  assert.deepEqual(f1 && [f1.rows, f1.addedColumns], [2, ["sensor_id", "temp"]]);
  const conflict = w.offer(row(3, { sensor_id: "c", temp: "hot", battery: 5 }));
  assert.equal(conflict.kind, "conflict");
  assert.ok(!w.columns.some((c) => c.name === "battery"), "a conflicting record adds no column");
  assert.deepEqual(w.offer(row(4, { sensor_id: "d", temp: 3, battery: 80 })), { kind: "buffered", added: ["battery"] });
  const f2 = await w.flush();
  assert.deepEqual(f2 && [f2.rows, f2.addedColumns, f2.version], [1, ["battery"], f1!.version + 1]);
  const table = lake.table("custom.plant.iot");
  const rows = await readCustomTable(table);
  assert.deepEqual(rows.map((r) => [r.sensor_id, r.temp, r.battery, r._seq]), [["a", 1, null, 1], ["b", 2.5, null, 2], ["d", 3, 80, 4]]);
  const ops = (await table.history()).map((h) => h.commitInfo?.operation);
  assert.deepEqual(ops, ["WRITE AND ADD COLUMNS", "WRITE AND ADD COLUMNS", "CREATE TABLE"]);

  const again = await CustomTableWriter.open(lake, "custom.plant.iot");
  assert.equal(again.committedSeq, 4);
  assert.deepEqual(again.offer(row(4, { sensor_id: "d", temp: 3 })), { kind: "already-committed" });
  assert.equal(again.offer(row(5, { temp: "x" })).kind, "conflict", "the reopened writer knows the evolved schema");
});

test("CustomTableWriter: a commit that landed although it threw is not written twice", async () => {
  using dir = tempDir("custom-writer-");
  const storage = new LyingStorage(dir.path);
  const lake = new Lake(storage);
  const w = await CustomTableWriter.open(lake, "custom.plant.iot");
  w.offer(row(1, { sensor_id: "a", temp: 1 }));
  w.offer(row(2, { sensor_id: "b", temp: 2 }));
  storage.lieOnNextCommit = true;
  await assert.rejects(w.flush(), LakeStorageError);
  w.offer(row(3, { sensor_id: "c", temp: 3, extra: true }));
  const f = await w.flush();
  assert.deepEqual(f && [f.rows, f.addedColumns], [1, ["extra"]]);
  const rows = await readCustomTable(lake.table("custom.plant.iot"));
  assert.deepEqual(rows.map((r) => r._seq), [1, 2, 3]);
  assert.equal(w.committedSeq, 3);
});

test("CustomTableWriter: rows offered while a flush writes are kept for the next flush; a failed flush gives its rows back", async () => {
  using dir = tempDir("custom-writer-race-");
  let failing = false;
  const storage = new SlowStorage(new LocalStorage(dir.path), { delayTurns: () => 1, delayMs: () => 10, failWrite: () => failing });
  const lake = new Lake(storage);
  const w = await CustomTableWriter.open(lake, "custom.plant.iot");
  for (let seq = 1; seq <= 3; seq++) w.offer(row(seq, { sensor_id: `s${seq}`, temp: seq }));
  const first = w.flush();
  await waitFor(() => w.pendingRows === 0, { intervalMs: 1, what: "the flush to take rows 1–3" }); // then it writes their file
  w.offer(row(4, { sensor_id: "s4", temp: 4, battery: 90 }));
  const second = w.flush(); // called while the first is in flight: runs after it
  assert.deepEqual((await first)?.rows, 3);
  assert.deepEqual(await second.then((f) => f && [f.rows, f.addedColumns]), [1, ["battery"]]);

  w.offer(row(5, { sensor_id: "s5", temp: 5 }));
  failing = true;
  const failed = w.flush();
  await waitFor(() => w.pendingRows === 0, { intervalMs: 1, what: "the failing flush to take row 5" });
  w.offer(row(6, { sensor_id: "s6", temp: 6 }));
  await assert.rejects(failed, LakeStorageError);
  assert.equal(w.pendingRows, 2, "the failed flush's row is back, ahead of the one offered meanwhile");
  failing = false;
  assert.equal((await w.flush())?.rows, 2);
  const rows = await readCustomTable(lake.table("custom.plant.iot"));
  assert.deepEqual(rows.map((r) => r._seq).sort(), [1, 2, 3, 4, 5, 6]);
});
