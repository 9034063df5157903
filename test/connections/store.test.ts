/** ApiKeyStore on both database backends (a node without DATABASE_URL runs on PGlite). */
import { it } from "node:test";
import assert from "node:assert/strict";
import { ApiKeyStore } from "../../src/web/server/gateway/index.js";
import { onEachBackend } from "../db/each-backend.js";
import { waitFor } from "../helpers/wait.js";

onEachBackend("ApiKeyStore", (backend) => {
  it("authorizes by id and hash, counts use in memory, writes it in one flush, forgets a revoked key at once", async () => {
    await using db = await backend.openMigrated();
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

  it("a reload whose read started before a revoke, and lands after it, does not bring the key back", async () => {
    await using db = await backend.openMigrated();
    // The reload's SELECT runs at once; its result is held until released (a reload timer firing mid-revoke).
    let hold = false;
    let read: (() => void) | undefined;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const gated = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== "query") return Reflect.get(target, prop, receiver);
        return async (text: string, params?: unknown[]) => {
          const result = await target.query(text, params);
          if (hold && /^\s*SELECT .* FROM ingest_api_keys/s.test(text)) {
            hold = false;
            read?.();
            await released;
          }
          return result;
        };
      },
    });
    await using store = await ApiKeyStore.open(gated, { flushMs: 3_600_000, refreshMs: 3_600_000 });
    const { key, view } = await store.create({ source: "plant", label: "raced", createdBy: "test" });
    hold = true;
    const wasRead = new Promise<void>((resolve) => (read = resolve));
    const reload = store.refresh();
    await wasRead; // the reload has read the key as active
    const revoking = store.revoke(view.keyId, "test");
    await waitFor(async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM ingest_api_keys WHERE revoked_at IS NOT NULL")).rows[0]!.n === 1, { what: "the revoke committed" });
    release();
    assert.equal(await revoking, true);
    await reload;
    assert.deepEqual(await store.authorize(key, "plant"), { kind: "unknown-key" }, "revoked on this node: refused at once");
  });
});
