/** ApiKeyStore on both database backends (a node without DATABASE_URL runs on PGlite). */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { migrate } from "../../src/db/index.js";
import { ApiKeyStore } from "../../src/web/server/gateway/index.js";
import { backends } from "../db/fixtures.js";

for (const backend of backends()) {
  describe(`ApiKeyStore on ${backend.name}`, () => {
    after(() => backend.shutdown());

    it("authorizes by id and hash, counts use in memory, writes it in one flush, forgets a revoked key at once", async () => {
      await using db = await backend.open();
      await migrate(db);
      let now = Date.UTC(2026, 11, 6, 5, 0, 0);
      await using store = await ApiKeyStore.open(db, { flushMs: 3_600_000, refreshMs: 3_600_000, now: () => now });
      const { key, view } = await store.create({ source: "plant", label: "plant 7", createdBy: "test" });
      assert.deepEqual(await store.authorize(key, "plant"), { kind: "ok", keyId: view.keyId });
      assert.deepEqual(await store.authorize(key, "acme"), { kind: "wrong-source", allowed: ["plant"], keyId: view.keyId });
      assert.deepEqual(await store.authorize(key.slice(0, -1) + (key.endsWith("A") ? "B" : "A"), "plant"), { kind: "unknown-key" });
      assert.deepEqual(await store.authorize("plant-secret-key", "plant"), { kind: "unknown-key" });

      store.usage.record(view.keyId, 10, now);
      now += 1_000;
      store.usage.record(view.keyId, 5, now);
      await store.flush();
      const [listed] = await store.list();
      assert.deepEqual([listed!.requests, listed!.records, listed!.lastUsedAt], [2, 15, now]);

      assert.equal(await store.revoke(view.keyId, "test"), true);
      assert.deepEqual(await store.authorize(key, "plant"), { kind: "unknown-key" });
      assert.equal(await store.revoke(view.keyId, "test"), false, "revoked once");
      // A fresh store (another node) loads only active keys.
      await using other = await ApiKeyStore.open(db);
      assert.deepEqual(await other.authorize(key, "plant"), { kind: "unknown-key" });
    });
  });
}
