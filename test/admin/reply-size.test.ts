/**
 * An admin answer larger than one NATS message (max_payload) cannot be sent. The caller used to
 * get no answer at all (a 10,000-symbol node's status was 1.35 MB and `admin status` saw "0 of 1
 * nodes answer"); now it gets an error that says why, and the node goes on answering.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { AdminAuth } from "../../src/admin/auth.js";
import { callAdmin } from "../../src/admin/client.js";
import { AdminService } from "../../src/admin/service.js";
import { startNatsServer } from "../helpers/nats-server.js";

const TOKEN = "tok_" + "r3ply".repeat(6);

test("an admin answer too large for one NATS message comes back as an error naming the sizes; smaller answers still go", async () => {
  await using server = await startNatsServer();
  const node = await connect({ servers: server.url });
  const client = await connect({ servers: server.url });
  const admin = new AdminService(node, "n1", AdminAuth.fromConfig([TOKEN], "/nonexistent"));
  const max = node.info!.max_payload;
  admin.register("huge", () => "x".repeat(max + 1));
  admin.register("small", () => "ok");
  admin.start();
  try {
    await node.flush();
    const [huge] = await callAdmin(client, "huge", [], { token: TOKEN, timeoutMs: 5_000 });
    assert.ok(huge && !huge.ok, `expected an error, got ${JSON.stringify(huge)?.slice(0, 200)}`);
    assert.equal(huge.code, "failed");
    assert.match(huge.error, new RegExp(`^the reply is \\d+ bytes, more than one NATS message may carry \\(max_payload ${max}\\)`));
    const [small] = await callAdmin(client, "small", [], { token: TOKEN, timeoutMs: 5_000 });
    assert.deepEqual(small && small.ok ? small.result : small, "ok");
  } finally {
    await admin[Symbol.asyncDispose]();
    await node.close();
    await client.close();
  }
});
