/**
 * deploy/nats/nats.conf on a real nats-server: one user per kind of client. A custom-data
 * publisher can publish into ingest.> and nothing else — it cannot listen on `>` (so it sees no
 * signed admin request, no audit, no KV), nor publish to admin.>, events.> or $KV.>. The admin
 * CLI's user sends admin requests and reads its own replies only. Anonymous clients are refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/nats-core";
import { AdminAuth } from "../../src/admin/auth.js";
import { callAdmin } from "../../src/admin/client.js";
import { AdminService } from "../../src/admin/service.js";
import { connectNats, NatsConnectFailed } from "../../src/runtime/nats/index.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

const USERS = {
  NATS_USER: "tickhouse",
  NATS_PASSWORD: "pnode1",
  NATS_ADMIN_USER: "admin",
  NATS_ADMIN_PASSWORD: "padmin1",
  NATS_PUBLISHER_USER: "publisher",
  NATS_PUBLISHER_PASSWORD: "ppub1",
};
const ADMIN_TOKEN = "tok_" + "d".repeat(28);

/** Every error the server sends this connection (permission violations arrive asynchronously). */
function serverErrors(nc: NatsConnection): string[] {
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === "error") errors.push(String((s as { error: unknown }).error));
  })();
  return errors;
}

test("deploy/nats/nats.conf: publishers reach ingest.> only, the admin CLI admin.> only, nodes everything", async () => {
  await using server = await startNatsServer({ extraArgs: ["-c", "deploy/nats/nats.conf"], env: { ...process.env, ...USERS } });
  const as = (user: string, pass: string, name: string, inboxPrefix?: string) => connectNats(server.url, name, { credentials: { user, pass }, timeoutMs: 3_000, ...(inboxPrefix ? { inboxPrefix } : {}) });
  await assert.rejects(connectNats(server.url, "anonymous", { timeoutMs: 3_000 }), (err: unknown) => err instanceof NatsConnectFailed && /Authorization Violation/i.test(err.message));

  const node = await as(USERS.NATS_USER, USERS.NATS_PASSWORD, "node");
  const publisher = await as(USERS.NATS_PUBLISHER_USER, USERS.NATS_PUBLISHER_PASSWORD, "publisher", "_INBOX_ingest");
  const admin = await as(USERS.NATS_ADMIN_USER, USERS.NATS_ADMIN_PASSWORD, "admin-cli", "_INBOX_admin");
  const service = new AdminService(node, "n1", AdminAuth.fromConfig([ADMIN_TOKEN], "/nonexistent"));
  const runs: string[][] = [];
  service.register("touch", (args) => void runs.push(args));
  service.start();
  try {
    // The node sees everything that reaches the server.
    const seen: { subject: string; data: string }[] = [];
    node.subscribe(">", { callback: (_err, m) => void seen.push({ subject: m.subject, data: new TextDecoder().decode(m.data) }) });
    await node.flush();

    // The publisher and the admin CLI try to listen to everything, and to the traffic they must not see.
    const publisherErrors = serverErrors(publisher);
    const adminErrors = serverErrors(admin);
    const overheard: string[] = [];
    for (const [nc, subject] of [[publisher, ">"], [publisher, "admin.>"], [publisher, "_INBOX.>"], [publisher, "_INBOX_admin.>"], [admin, ">"], [admin, "admin.>"], [admin, "events.>"]] as const) {
      nc.subscribe(subject, { callback: (err, m) => void (err ? undefined : overheard.push(`${subject} ← ${m.subject}`)) });
    }
    await Promise.all([publisher.flush(), admin.flush()]);

    // Real admin traffic meanwhile: the admin CLI's signed request works on its own inbox.
    const [reply] = await callAdmin(admin, "touch", ["from-admin-cli"], { token: ADMIN_TOKEN, timeoutMs: 5_000 });
    assert.ok(reply?.ok, JSON.stringify(reply));
    assert.deepEqual(runs, [["from-admin-cli"]]);

    // Forgeries: none may reach the server's subject space.
    const forged = [
      [publisher, "admin.touch"], [publisher, "admin.node.n1.touch"], [publisher, "audit.admin.ok"], [publisher, "$KV.rt_champions.BTCUSDT"], [publisher, "$JS.API.STREAM.PURGE.CUSTOM"],
      [admin, "audit.admin.ok"], [admin, "$KV.rt_champions.BTCUSDT"], [admin, "ingest.acme.orders"],
    ] as const;
    for (const [nc, subject] of forged) nc.publish(subject, `FORGED by ${nc === admin ? "admin" : "publisher"}`);
    // What a publisher may do; on one connection messages keep their order, so once the marker is
    // seen every forgery sent before it would have been seen too.
    publisher.publish("ingest.acme.orders", "MARKER publisher");
    admin.publish("admin.nobody", "MARKER admin");
    await waitFor(() => seen.some((m) => m.data === "MARKER publisher") && seen.some((m) => m.data === "MARKER admin"), { what: "both markers" });
    assert.deepEqual(seen.filter((m) => m.data.startsWith("FORGED")), [], "a forged message reached the server's subjects");

    await waitFor(() => publisherErrors.filter((e) => /Permissions Violation for Publish/i.test(e)).length >= 5 && adminErrors.filter((e) => /Permissions Violation for Publish/i.test(e)).length >= 3, { what: "publish refusals" });
    await waitFor(() => publisherErrors.filter((e) => /Permissions Violation for Subscription/i.test(e)).length >= 4 && adminErrors.filter((e) => /Permissions Violation for Subscription/i.test(e)).length >= 3, { what: "subscription refusals" });
    assert.deepEqual(overheard, [], "a restricted user overheard traffic");
    assert.deepEqual(runs, [["from-admin-cli"]], "no forged admin request ran");

    // Without its inbox prefix the admin CLI cannot read replies: the request fails rather than leak.
    const noPrefix = await as(USERS.NATS_ADMIN_USER, USERS.NATS_ADMIN_PASSWORD, "admin-cli-default-inbox");
    await assert.rejects(callAdmin(noPrefix, "touch", ["x"], { token: ADMIN_TOKEN, timeoutMs: 2_000 }));
    await noPrefix.close();
  } finally {
    await service[Symbol.asyncDispose]();
    await Promise.all([node.close(), publisher.close(), admin.close()]);
  }
});
