import { test } from "node:test";
import assert from "node:assert/strict";
import { ReplayGuard } from "../../src/admin/replay-guard.js";
import { AdminKey, canonicalAdminPayload, checkSignature, signAdminRequest } from "../../src/admin/signing.js";
import { seededRandom } from "../../src/runtime/random.js";

test("ReplayGuard: over random interleavings, a request is admitted at most once and only while fresh", () => {
  const skewMs = 1_000;
  for (let seed = 1; seed <= 200; seed++) {
    const random = seededRandom(seed); // a failing interleaving replays from its seed
    const guard = new ReplayGuard({ skewMs, capacity: 1_000 });
    const sent: { nonce: string; ts: number }[] = [];
    const admitted = new Set<string>();
    let now = 0;
    for (let step = 0; step < 300; step++) {
      now += Math.floor(random() * 200);
      // Either a new request (its clock off by up to ±1.5 skew) or a replay of any earlier one.
      const replay = sent.length > 0 && random() < 0.5;
      const r = replay ? sent[Math.floor(random() * sent.length)]! : { nonce: `n${seed}-${step}`, ts: now + Math.floor((random() - 0.5) * 3 * skewMs) };
      if (!replay) sent.push(r);
      const fresh = Math.abs(now - r.ts) <= skewMs;
      const verdict = guard.admit(r.nonce, r.ts, now);
      const expected = fresh && !admitted.has(r.nonce);
      assert.equal(verdict.ok, expected, `seed ${seed} step ${step}: ${JSON.stringify(r)} at ${now} → ${JSON.stringify(verdict)}`);
      if (verdict.ok) admitted.add(r.nonce);
      assert.ok(guard.size <= 1_000);
    }
  }
});

test("ReplayGuard: a full memory refuses new requests rather than forgetting a live nonce", () => {
  const guard = new ReplayGuard({ skewMs: 1_000, capacity: 2 });
  assert.ok(guard.admit("a", 0, 0).ok);
  assert.ok(guard.admit("b", 0, 0).ok);
  const full = guard.admit("c", 0, 0);
  assert.ok(!full.ok && /too many/.test(full.reason));
  assert.ok(!guard.admit("a", 0, 500).ok, "a is still remembered");
  assert.ok(guard.admit("c", 1_001, 1_001).ok, "once a and b expire there is room again");
  assert.throws(() => new ReplayGuard({ skewMs: 0 }), /skewMs must be positive/);
});

test("ReplayGuard: what was signed before the guard existed is refused, whatever its nonce (a restart forgot the nonces)", () => {
  const guard = new ReplayGuard({ skewMs: 30_000, notBefore: 100_000 });
  const before = guard.admit("never-seen", 99_999, 100_010);
  assert.ok(!before.ok && /before this node started/.test(before.reason), JSON.stringify(before));
  assert.ok(guard.admit("fresh", 100_000, 100_010).ok);
  assert.ok(new ReplayGuard({ skewMs: 30_000 }).admit("old", 99_999, 100_010).ok, "without notBefore only the skew applies");
});

test("signatures: every signed field matters, and the canonical form cannot be shifted between fields", () => {
  const key = AdminKey.fromToken("token-one-xxxxxxxx");
  const other = AdminKey.fromToken("token-two-xxxxxxxx");
  const fields = { command: "replay", args: ["--from-seq", "1"], target: "*", ts: 1_700_000_000_000, nonce: "abc", caller: "u@h", onBehalfOf: "web:local@127.0.0.1" };
  const signed = signAdminRequest(key, fields);
  assert.ok(checkSignature([other, key], signed).ok);
  const changes: Record<string, unknown>[] = [
    { command: "train" }, { args: ["--from-seq", "2"] }, { args: ["--from-seq,1"] }, { target: "n1" }, { ts: fields.ts + 1 },
    { nonce: "abd" }, { caller: "v@h" }, { onBehalfOf: undefined }, { onBehalfOf: "web:local@127.0.0.2" },
  ];
  for (const change of changes) assert.deepEqual(checkSignature([key], { ...signed, ...change }), { ok: false, reason: "bad signature" }, JSON.stringify(change));
  assert.deepEqual(checkSignature([other], signed), { ok: false, reason: `unknown admin key ${key.id}` });
  // ["a","b"] and ["a,b"] must not encode alike.
  const a = canonicalAdminPayload({ ...fields, keyId: key.id, args: ["a", "b"] });
  const b = canonicalAdminPayload({ ...fields, keyId: key.id, args: ["a,b"] });
  assert.notEqual(a, b);
  assert.equal(AdminKey.fromToken("token-one-xxxxxxxx").id, key.id, "the same token gives the same key id");
  assert.match(key.id, /^[0-9a-f]{16}$/);
});
