/**
 * The audit trail cannot be flooded (issue 12, finding 4): a refused attempt's text is clipped and
 * counted in a summary row per time bucket, and retention and a row cap delete refused rows only,
 * so the record of every command that ran stays. Pure bounds first, then the store against both
 * database backends over random interleavings, then a flood through a real nats-server, the
 * AUDIT stream and the durable audit writer into PostgreSQL.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { auditSubject, type AuditRecord } from "../../src/admin/protocol.js";
import { migrate, type Database } from "../../src/db/index.js";
import { listAudit } from "../../src/db/registry/operations.js";
import { auditEntryOf, bucketStart, clip, REFUSAL_TEXT, startAuditWriter, writeAuditOnce, type AuditLimits } from "../../src/control/index.js";
import { createLogger } from "../../src/runtime/log.js";
import { bootstrap, platformLogSpec, STREAMS } from "../../src/runtime/nats/index.js";
import { seededRandom } from "../../src/runtime/random.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { backends, postgresBackend } from "../db/fixtures.js";

const NOW = Date.parse("2026-03-02T12:00:00Z");
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const noise = (n: number) => randomBytes(Math.ceil(n / 2)).toString("hex").slice(0, n); // incompressible text
/** What control.run lets an unauthenticated caller send: 50 arguments of 500 characters. */
const bigArgs = () => Array.from({ length: 50 }, () => noise(500));

function record(over: Partial<AuditRecord> & Pick<AuditRecord, "result">): AuditRecord {
  return { at: new Date(NOW).toISOString(), nodeId: "node-a", caller: "ops@host", command: "replay", args: [], ...over };
}

test("a refusal's text is clipped; a command that ran keeps its arguments whole", () => {
  const refused = auditEntryOf(record({ result: "rejected", caller: noise(5_000), command: noise(300), args: bigArgs(), detail: noise(10_000), keyId: noise(100), onBehalfOf: noise(500) }), 7);
  assert.ok(refused.principal.length <= REFUSAL_TEXT.caller && refused.command.length <= REFUSAL_TEXT.command);
  assert.ok((refused.detail ?? "").length <= REFUSAL_TEXT.detail);
  const argv = refused.args.argv as string[];
  assert.equal(argv.length, REFUSAL_TEXT.args);
  assert.ok(argv.every((a) => a.length <= REFUSAL_TEXT.arg));
  assert.equal(refused.args.argc, 50);
  assert.ok(JSON.stringify(refused).length < 1_000, `refused entry is ${JSON.stringify(refused).length} characters`);

  const args = bigArgs();
  const ran = auditEntryOf(record({ result: "ok", args, keyId: "k1", onBehalfOf: "web:token-ab12@10.0.0.1" }), 8);
  assert.deepEqual(ran.args.argv, args);
  assert.equal(ran.args.keyId, "k1");
  assert.equal(ran.args.onBehalfOf, "web:token-ab12@10.0.0.1");

  assert.equal(clip("abcdef", 6), "abcdef");
  assert.equal(clip("a".repeat(100), 10), "aaaaaa…+94");
  assert.equal(clip("a".repeat(100), 10).length, 10);
  assert.equal(bucketStart(new Date("2026-03-02T12:34:56Z"), 60 * MINUTE).toISOString(), "2026-03-02T12:00:00.000Z");
});

// ---- the store, on PostgreSQL and PGlite -------------------------------------------------------

const refusedRows = async (db: Database) =>
  (await db.query<{ bucket: Date | null; attempts: number; bytes: number }>("SELECT bucket, attempts, pg_column_size(a.*) AS bytes FROM admin_audit a WHERE outcome = 'refused'")).rows;

for (const backend of backends()) {
  after(() => backend.shutdown());

  test(`${backend.name}: random interleavings of refusals and commands keep every command and bound the refusals`, async () => {
    const limits: AuditLimits = { refusalBucketMs: 10 * MINUTE, refusalKeysPerBucket: 4, refusalRetentionMs: 2 * DAY, maxRefusalRows: 12 };
    for (const seed of [1, 2, 3]) {
      await using db = await backend.open();
      await migrate(db);
      const random = seededRandom(seed); // a failing interleaving replays from its seed
      const ran: number[] = [];
      let seq = 0;
      let newestBucketRefusals = 0;
      const newestBucket = bucketStart(new Date(NOW), limits.refusalBucketMs).getTime();
      for (let i = 0; i < 150; i++) {
        seq++;
        const at = new Date(NOW - Math.floor(random() * 3 * DAY)); // a third of them past retention
        if (random() < 0.2) {
          ran.push(seq);
          assert.equal(await writeAuditOnce(db, auditEntryOf(record({ result: random() < 0.5 ? "ok" : "failed", at: at.toISOString(), args: [String(seq)] }), seq), { limits, now: () => NOW }), true);
          continue;
        }
        const last = i >= 140; // the last ten refusals land in the newest bucket
        const when = last ? new Date(NOW) : at;
        if (last) newestBucketRefusals++;
        const entry = auditEntryOf(record({ result: "rejected", at: when.toISOString(), caller: `attacker-${Math.floor(random() * 8)}@x`, args: [noise(200)] }), seq);
        assert.equal(await writeAuditOnce(db, entry, { limits, now: () => NOW }), true);
        // A redelivery of the same stream sequence counts nothing.
        if (random() < 0.3) assert.equal(await writeAuditOnce(db, entry, { limits, now: () => NOW }), false, `seed ${seed}: seq ${seq} counted twice`);
      }
      const kept = (await db.query<{ seq: string }>("SELECT args->>'streamSeq' AS seq FROM admin_audit WHERE outcome <> 'refused' ORDER BY id")).rows.map((r) => Number(r.seq));
      assert.deepEqual(kept, ran, `seed ${seed}: every command that ran is kept, even those older than the refusal retention`);
      const rows = await refusedRows(db);
      assert.ok(rows.length <= limits.maxRefusalRows, `seed ${seed}: ${rows.length} refusal rows`);
      const perBucket = new Map<number, number>();
      for (const r of rows) perBucket.set(r.bucket!.getTime(), (perBucket.get(r.bucket!.getTime()) ?? 0) + 1);
      assert.ok([...perBucket.values()].every((n) => n <= limits.refusalKeysPerBucket + 1), `seed ${seed}: at most ${limits.refusalKeysPerBucket} keys + "(other)" per bucket`);
      assert.ok(rows.every((r) => r.bucket!.getTime() >= NOW - limits.refusalRetentionMs - limits.refusalBucketMs), `seed ${seed}: nothing past retention`);
      const newest = rows.filter((r) => r.bucket!.getTime() === newestBucket).reduce((n, r) => n + r.attempts, 0);
      assert.equal(newest, newestBucketRefusals, `seed ${seed}: the newest bucket counts each of its refusals once`);
    }
  });
}

// ---- a flood through NATS, AUDIT and the audit writer into PostgreSQL --------------------------

test("a flood of refused attempts stays bounded in rows and bytes; the commands that ran all stay", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url, name: "audit-flood" });
  await bootstrap(nc, platformLogSpec().filter((s) => s.name === STREAMS.audit), { replicas: 1 });
  await using db = await postgresBackend().open();
  await migrate(db);
  const limits: Partial<AuditLimits> = { refusalBucketMs: MINUTE, refusalKeysPerBucket: 20, maxRefusalRows: 60 };
  const log = createLogger({ node: "t", level: "error", write: () => {} });
  await using writer = await startAuditWriter({ nc, db, log, limits, now: () => NOW, forgetEvery: 100 });

  // 1,000 refusals of 25 KB each (every caller different, so none share a row), spread over ten
  // one-minute buckets, and 25 commands that ran — some dated long before the refusal retention.
  const encoder = new TextEncoder();
  const ran = new Map<string, string[]>();
  let published = 0;
  for (let i = 0; i < 1_000; i++) {
    const at = new Date(NOW - (9 - Math.floor(i / 100)) * MINUTE);
    nc.publish(auditSubject("rejected"), encoder.encode(JSON.stringify(record({ result: "rejected", at: at.toISOString(), caller: `web@10.9.${i % 250}.${i}-${noise(2_000)}`, args: bigArgs(), detail: noise(500) }))));
    published++;
    if (i % 40 === 0) {
      const args = bigArgs();
      const id = `run-${i}`;
      ran.set(id, args);
      const old = new Date(NOW - (i % 80 === 0 ? 400 * DAY : 0));
      const result = i % 120 === 0 ? "failed" : "ok";
      nc.publish(auditSubject(result), encoder.encode(JSON.stringify(record({ result, at: old.toISOString(), command: "replay", caller: id, args, keyId: "key-1" }))));
      published++;
    }
  }
  await nc.flush();
  await waitFor(() => writer.stats().written + writer.stats().duplicates === published, { timeoutMs: 120_000, what: `${published} audit records written` });
  assert.equal(writer.stats().malformed, 0);

  const rows = await refusedRows(db);
  assert.ok(rows.length <= 60, `${rows.length} refusal rows for 1,000 refusals`);
  const bytes = rows.reduce((n, r) => n + r.bytes, 0);
  assert.ok(bytes <= 60 * 1_024, `refusal rows take ${bytes} bytes (1,000 × 25 KB were sent)`);
  // The newest bucket is complete: its 100 attempts counted in 20 caller rows plus "(other)".
  const newest = rows.filter((r) => r.bucket!.getTime() === bucketStart(new Date(NOW), MINUTE).getTime());
  assert.equal(newest.length, 21);
  assert.equal(newest.reduce((n, r) => n + r.attempts, 0), 100);

  const kept = (await listAudit(db, 1_000)).filter((r) => r.outcome !== "refused");
  assert.equal(kept.length, ran.size, "every command that ran has its row");
  for (const r of kept) {
    assert.deepEqual((r.args as { argv: string[] }).argv, ran.get(r.principal), `${r.principal}: its arguments, whole`);
    assert.equal(r.attempts, 1);
  }
  const counted = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM admin_audit_refusal_seqs")).rows[0]!.n;
  assert.ok(counted <= 2 * 100, `${counted} dedupe sequences kept (the consumer acknowledged the rest)`);
  await nc.close();
});
