/** The session store on an injected clock: expiry, the oldest-first bound, forgetting an admin token, fresh ids. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionStore } from "../../src/web/server/sessions.js";

test("sessions expire after their TTL, the oldest go past the bound, and dropping the admin token keeps a read session", () => {
  let now = 1_000;
  const store = new SessionStore({ ttlMs: 100, maxSessions: 2, now: () => now });
  const read = store.open();
  const admin = store.open("tok");
  assert.notEqual(read, admin);
  assert.match(admin, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(store.get(admin), { expiresAt: 1_100, adminToken: "tok" });
  assert.equal(store.get(read)?.adminToken, undefined);
  assert.equal(store.get(null), null);
  assert.equal(store.get("unknown"), null);

  store.dropAdmin(admin);
  assert.deepEqual(store.get(admin), { expiresAt: 1_100 }, "still signed in, no admin token");

  const third = store.open("tok");
  assert.equal(store.get(read), null, "the oldest went past maxSessions");
  assert.ok(store.get(third));

  now = 1_099;
  assert.ok(store.get(admin));
  now = 1_100;
  assert.equal(store.get(admin), null, "expired at its TTL");
  store.close(third);
  assert.equal(store.get(third), null);
});
