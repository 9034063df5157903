/** A log record's `fields.localOnly` stays on the node's own output: the forwarded copy drops it (pure). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { forwardableRecord } from "../../src/control/index.js";
import type { LogRecord } from "../../src/runtime/log.js";

const base: LogRecord = { at: "2026-01-01T00:00:00.000Z", level: "info", node: "n1", component: "node", message: "admin replay ok" };

test("forwardableRecord drops localOnly, keeps the other fields, and leaves records without it as they are", () => {
  assert.deepEqual(forwardableRecord({ ...base, fields: { localOnly: { caller: "ops@host", keyId: "ab12" }, command: "replay" } }), { ...base, fields: { command: "replay" } });
  assert.deepEqual(forwardableRecord({ ...base, fields: { localOnly: { caller: "ops@host" } } }), base, "no empty fields object left");
  const plain = { ...base, fields: { n: 1 } };
  assert.equal(forwardableRecord(plain), plain);
  assert.equal(forwardableRecord(base), base);
});
