/**
 * The data page over a custom source's table as the custom router writes it (schema inferred and
 * evolved): row counts per source/type, the schema history with added columns, the latest rows;
 * and a quality range rule on that table quarantining an out-of-range reading.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CustomTableWriter, type CustomRow } from "../../src/custom/index.js";
import { Lake } from "../../src/lake/index.js";
import { latestRows, listTables, schemaHistory } from "../../src/control/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { DEFAULT_QUALITY_OPTIONS, parseRangeRules, readQuarantine, runAudit } from "../../src/quality/index.js";

function row(seq: number, values: Record<string, number | string>): CustomRow {
  const t = Date.parse("2026-11-28T09:00:00Z") + seq * 1000;
  return {
    seq,
    source: "my_plant",
    dataType: "iot",
    ingestTime: t + 5,
    eventTime: t,
    values: new Map(Object.entries(values).map(([k, v]) => [k, { type: typeof v === "number" ? "double" : "string", value: v }] as const)),
  };
}

test("custom table: rows per source, schema history, latest rows, and a range rule on it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "data-catalog-"));
  try {
    const lake = Lake.open(dir);
    const w = await CustomTableWriter.open(lake, "custom_my_plant_iot");
    for (const [i, temp] of [21.5, 22.0].entries()) assert.equal(w.offer(row(i + 1, { sensor_id: "press-001", temperature_c: temp })).kind, "buffered");
    await w.flush();
    assert.equal(w.offer(row(3, { sensor_id: "press-002", temperature_c: 140, humidity: 40 })).kind, "buffered");
    await w.flush();

    const [t] = (await listTables(lake)).filter((x) => x.name === "custom_my_plant_iot");
    assert.equal(t!.kind, "custom");
    assert.equal(t!.rows, 3);
    assert.equal(t!.version, 2);
    assert.deepEqual(t!.sources, [{ source: "my_plant", dataType: "iot", rows: 3 }]);
    assert.deepEqual(t!.partitionColumns, ["source", "data_type", "date"]);

    const history = await schemaHistory(lake.table("custom_my_plant_iot"));
    assert.deepEqual(history.map((h) => [h.version, h.added, h.removed]), [
      [2, ["humidity"], []],
      [1, ["sensor_id", "temperature_c"], []],
      [0, [], []],
    ]);
    const latest = await latestRows(lake.table("custom_my_plant_iot"), 2);
    assert.equal(latest.length, 2);
    assert.equal(latest[0]!.sensor_id, "press-002", "newest first");
    assert.equal(typeof latest[0]!._seq, "number");

    const rules = parseRangeRules([{ table: "custom_my_plant_iot", column: "temperature_c", min: -40, max: 85, name: "plant temperature" }]);
    const report = await runAudit(
      { lake, log: createLogger({ node: "n", level: "error", write: () => {} }), now: Date.now, subscribed: () => [], options: { ...DEFAULT_QUALITY_OPTIONS, rangeRules: rules } },
      { trigger: "test", sinceMs: null },
    );
    const check = report.checks.find((c) => c.name === "plant temperature")!;
    assert.equal(check.status, "FAILED");
    assert.deepEqual([check.checked, check.failed], [3, 1]);
    const q = await readQuarantine(lake, "custom_my_plant_iot");
    assert.equal(q.length, 1);
    assert.equal(q[0]!.row.temperature_c, 140);
    assert.equal(q[0]!.symbol, "my_plant");
    assert.match(q[0]!.rowKey, /^h:[0-9a-f]{32}$/);
    // Run again: the same row is found but not quarantined twice.
    const again = await runAudit({ lake, log: createLogger({ node: "n", level: "error", write: () => {} }), now: Date.now, subscribed: () => [], options: { ...DEFAULT_QUALITY_OPTIONS, rangeRules: rules } }, { trigger: "test", sinceMs: null });
    assert.equal(again.quarantined, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
