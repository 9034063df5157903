/**
 * Issue 12, finding 5: table names that cannot collide, and the move of old-style tables.
 * Real nats-server, real router, real lake on disk.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { CustomTableWriter, customTableName, flattenRecord, parseCustomTableName, readCustomTable, type TableMigration } from "../../src/custom/index.js";
import { Lake } from "../../src/lake/index.js";
import { routedAll as routed, startRouter, startStack } from "./support.js";

const T = Date.UTC(2026, 10, 28, 9, 0, 0);
const enc = new TextEncoder();

test("names: every (source, data type) pair has its own table name, and the name gives the pair back", () => {
  const names = ["a", "acme", "acme_corp", "corp_orders", "orders", "x_", "x__y", "_", "9"].filter((n) => /^[a-z0-9]/.test(n));
  const seen = new Map<string, string>();
  for (const source of names) {
    for (const type of names) {
      const table = customTableName(source, type);
      assert.equal(seen.get(table), undefined, `${source}/${type} and ${seen.get(table)} share ${table}`);
      seen.set(table, `${source}/${type}`);
      assert.deepEqual(parseCustomTableName(table), { source, dataType: type });
    }
  }
  assert.notEqual(customTableName("acme", "corp_orders"), customTableName("acme_corp", "orders"));
  assert.equal(parseCustomTableName("custom_acme_orders"), undefined);
});

test("the collision pair of issue 12 lands in two tables: acme/corp_orders cannot fix the column types of acme_corp/orders", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  await using r = await startRouter(s, lake);
  // The attacker writes first and makes `amount` a string; the victim's numbers must still land.
  s.probe.publish("ingest.acme.corp_orders", enc.encode(JSON.stringify({ order: "evil", amount: "not a number", timestamp: T })));
  await s.probe.flush();
  await routed(s, r.router);
  s.probe.publish("ingest.acme_corp.orders", enc.encode(JSON.stringify([{ order: "o-1", amount: 12.5, timestamp: T }, { order: "o-2", amount: 3, timestamp: T }])));
  await s.probe.flush();
  await routed(s, r.router);

  const victim = await readCustomTable(lake.table("custom.acme_corp.orders"));
  assert.deepEqual(victim.map((x) => [x.source, x.data_type, x.order, x.amount]), [["acme_corp", "orders", "o-1", 12.5], ["acme_corp", "orders", "o-2", 3]]);
  const attacker = await readCustomTable(lake.table("custom.acme.corp_orders"));
  assert.deepEqual(attacker.map((x) => [x.source, x.data_type, x.order, x.amount]), [["acme", "corp_orders", "evil", "not a number"]]);
  assert.deepEqual(r.router.status().deadLetters, {}, "no record was refused");
});

test("an old-style table holding both tenants is split into their tables on start: every row once, none lost, replays skipped", async () => {
  await using s = await startStack();
  const lake = Lake.open(join(s.dir, "lake"));
  // The log as the old router saw it: 3 messages, the two tenants mixed in one table.
  const records = [
    { subject: "ingest.acme_corp.orders", body: [{ order: "o-1", amount: 12.5, timestamp: T }, { order: "o-2", amount: 3, timestamp: T }] },
    { subject: "ingest.acme.corp_orders", body: [{ order: "a-1", note: "mine", timestamp: T + 86_400_000 }] },
    { subject: "ingest.acme_corp.orders", body: [{ order: "o-3", amount: 7, timestamp: T }] },
  ];
  for (const m of records) s.probe.publish(m.subject, enc.encode(JSON.stringify(m.body)));
  await s.probe.flush();
  // The old router committed all three into `custom_acme_corp_orders` (txn 3) but died before its ack.
  const old = await CustomTableWriter.open(lake, "custom_acme_corp_orders");
  records.forEach((m, i) => {
    const [, source, dataType] = m.subject.split(".") as [string, string, string];
    for (const rec of m.body) {
      const f = flattenRecord(rec);
      assert.equal(f.kind, "ok");
      old.offer({ seq: i + 1, source, dataType, ingestTime: T, eventTime: rec.timestamp, values: f.kind === "ok" ? f.values : new Map() });
    }
  });
  assert.equal((await old.flush())?.rows, 4);
  assert.equal((await readCustomTable(lake.table("custom_acme_corp_orders"))).length, 4);

  const migrations: TableMigration[] = [];
  {
    await using r = await startRouter(s, lake, { onMigrate: (m) => migrations.push(m) });
    // One new record each after the start.
    s.probe.publish("ingest.acme_corp.orders", enc.encode(JSON.stringify({ order: "o-4", amount: 1, timestamp: T })));
    s.probe.publish("ingest.acme.corp_orders", enc.encode(JSON.stringify({ order: "a-2", note: "again", timestamp: T })));
    await s.probe.flush();
    await routed(s, r.router);
  }
  assert.deepEqual(
    migrations.map((m) => ({ from: m.from, to: [...m.to].sort((x, y) => (x.table < y.table ? -1 : 1)) })),
    [{ from: "custom_acme_corp_orders", to: [{ table: "custom.acme.corp_orders", files: 1 }, { table: "custom.acme_corp.orders", files: 1 }] }],
  );
  assert.ok(!(await lake.tables()).includes("custom_acme_corp_orders"), "the old table is gone");
  const orders = (await readCustomTable(lake.table("custom.acme_corp.orders"))).map((x) => [x._seq, x.order, x.amount]);
  assert.deepEqual(orders.sort(), [[1, "o-1", 12.5], [1, "o-2", 3], [3, "o-3", 7], [4, "o-4", 1]], "old rows once (the replayed log skipped), the new row added");
  const mine = (await readCustomTable(lake.table("custom.acme.corp_orders"))).map((x) => [x._seq, x.order, x.note, x.date]);
  assert.deepEqual(mine.sort(), [[2, "a-1", "mine", "2026-11-29"], [5, "a-2", "again", "2026-11-28"]]);

  // A second start finds nothing to migrate and routes on.
  const again: TableMigration[] = [];
  await using r2 = await startRouter(s, lake, { onMigrate: (m) => again.push(m) });
  s.probe.publish("ingest.acme.corp_orders", enc.encode(JSON.stringify({ order: "a-3", timestamp: T })));
  await s.probe.flush();
  await routed(s, r2.router);
  assert.deepEqual(again, []);
  assert.equal((await readCustomTable(lake.table("custom.acme.corp_orders"))).length, 3);
});
