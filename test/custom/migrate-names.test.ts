/**
 * The move of old `custom_<source>_<type>` tables (migrate-names.ts) on both lake backends (disk,
 * S3 over HTTP): split by partition, txns carried, and a move interrupted at any storage call is
 * finished by the next run without losing or doubling a row.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CustomTableWriter, flattenRecord, migrateLegacyCustomTables, readCustomTable } from "../../src/custom/index.js";
import { Lake, LakeStorageError, type Storage } from "../../src/lake/index.js";
import { BACKENDS } from "../lake/fixtures/backends.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);

async function legacyTable(lake: Lake): Promise<void> {
  const w = await CustomTableWriter.open(lake, "custom_acme_corp_orders");
  const rows: [number, string, string, Record<string, unknown>][] = [
    [1, "acme_corp", "orders", { order: "o-1", amount: 12.5 }],
    [2, "acme", "corp_orders", { order: "a-1", note: "x" }],
    [3, "acme_corp", "orders", { order: "o-2", amount: 3 }],
  ];
  for (const [seq, source, dataType, fields] of rows) {
    const f = flattenRecord(fields);
    assert.equal(f.kind, "ok");
    w.offer({ seq, source, dataType, ingestTime: T, eventTime: T, values: f.kind === "ok" ? f.values : new Map() });
  }
  await w.flush();
}

/** Storage that fails its n-th write or delete (a crash at that point of the move). */
function failingAt(inner: Storage, n: number): Storage & { calls: number } {
  let calls = 0;
  const maybeFail = () => {
    if (++calls === n) throw new LakeStorageError(`injected failure at call ${n}`);
  };
  return {
    uri: inner.uri,
    get calls() {
      return calls;
    },
    get: (k) => inner.get(k),
    head: (k) => inner.head(k),
    list: (p, a) => inner.list(p, a),
    put: async (k, b) => (maybeFail(), inner.put(k, b)),
    putIfAbsent: async (k, b) => (maybeFail(), inner.putIfAbsent(k, b)),
    delete: async (k) => (maybeFail(), inner.delete(k)),
  };
}

async function contents(lake: Lake) {
  const tables = (await lake.tables()).filter((t) => t.startsWith("custom"));
  const out: Record<string, unknown[]> = {};
  for (const t of tables) out[t] = (await readCustomTable(lake.table(t))).map((r) => [r._seq, r.order]).sort();
  const txns = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, (await lake.table(t).snapshot()).txns.get(`custom-router:${t}`)] as const)));
  return { out, txns };
}

for (const backend of BACKENDS) {
  test(`migration on ${backend.name}: interrupted at every storage call, the next run completes it exactly once`, async () => {
    await using b = await backend.open();
    // How many writes and deletes one uninterrupted move takes.
    const probe = failingAt(b.storage, Number.POSITIVE_INFINITY);
    await legacyTable(new Lake(b.storage));
    const before = probe.calls;
    await migrateLegacyCustomTables(new Lake(probe));
    const total = probe.calls - before;
    assert.ok(total >= 8, `${total} storage calls`);
    const expected = {
      out: { "custom.acme.corp_orders": [[2, "a-1"]], "custom.acme_corp.orders": [[1, "o-1"], [3, "o-2"]] },
      txns: { "custom.acme.corp_orders": 3, "custom.acme_corp.orders": 3 },
    };
    assert.deepEqual(await contents(new Lake(b.storage)), expected);

    for (let n = 1; n <= total; n++) {
      for (const t of await new Lake(b.storage).tables()) for (const o of await b.storage.list(`${t}/`)) await b.storage.delete(o.key);
      await legacyTable(new Lake(b.storage));
      await assert.rejects(migrateLegacyCustomTables(new Lake(failingAt(b.storage, n))), LakeStorageError, `call ${n} fails`);
      await migrateLegacyCustomTables(new Lake(b.storage));
      assert.deepEqual(await contents(new Lake(b.storage)), expected, `interrupted at call ${n} of ${total}`);
    }
  });
}
