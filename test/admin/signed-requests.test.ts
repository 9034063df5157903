/**
 * Signed admin requests over a real nats-server: a subscriber on `admin.>` (anyone who can
 * connect) sees no token and nothing it could derive one from, and cannot use what it captured —
 * replayed, stale, tampered or re-targeted requests are refused and run nothing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { AdminAuth } from "../../src/admin/auth.js";
import { callAdmin } from "../../src/admin/client.js";
import { broadcastSubject, nodeSubject, type AdminReply, type AuditRecord } from "../../src/admin/protocol.js";
import { AdminService } from "../../src/admin/service.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";

const TOKEN = "tok_" + "s3cr3t".repeat(5);

async function ask(nc: NatsConnection, subject: string, data: Uint8Array | string): Promise<AdminReply> {
  const reply = await nc.request(subject, typeof data === "string" ? new TextEncoder().encode(data) : data, { timeout: 5_000 });
  return JSON.parse(new TextDecoder().decode(reply.data)) as AdminReply;
}

function refusal(reply: AdminReply | undefined): string {
  assert.ok(reply && !reply.ok && reply.code === "unauthorized", `expected a refusal, got ${JSON.stringify(reply)}`);
  return reply.error;
}

/** Every way the token could appear in the bytes: as is, encoded, or its plain SHA-256. */
function traces(token: string): string[] {
  const b = Buffer.from(token);
  const sha = createHash("sha256").update(token).digest();
  return [token, b.toString("base64"), b.toString("base64url"), b.toString("hex"), sha.toString("hex").slice(0, 8), sha.toString("base64url").slice(0, 8)];
}

test("admin requests are signed: no token on the wire; replayed, stale, tampered and re-targeted requests are refused", async () => {
  await using server = await startNatsServer();
  const node = await connect({ servers: server.url });
  const client = await connect({ servers: server.url });
  const sniffer = await connect({ servers: server.url });
  const runs: string[][] = [];
  const audits: AuditRecord[] = [];
  const admin = new AdminService(node, "n1", AdminAuth.fromConfig([TOKEN], "/nonexistent"), (r) => audits.push(r));
  admin.register("touch", (args) => (runs.push(args), "touched"));
  admin.start();
  try {
    await node.flush(); // subscribed on the server before another connection asks
    const captured: Msg[] = [];
    sniffer.subscribe("admin.>", { callback: (_err, msg) => void captured.push(msg) });
    await sniffer.flush();

    const [ok] = await callAdmin(client, "touch", ["--all"], { token: TOKEN, timeoutMs: 5_000 });
    assert.ok(ok?.ok, JSON.stringify(ok));
    assert.deepEqual(runs, [["--all"]]);
    const [msg] = await waitFor(() => (captured.length === 1 ? captured : undefined), { what: "the sniffer's copy" });
    const raw = new TextDecoder().decode(msg!.data);
    for (const trace of traces(TOKEN)) assert.ok(!raw.includes(trace), `the request carries ${trace}`);
    const request = JSON.parse(raw) as Record<string, unknown>;
    assert.deepEqual(Object.keys(request).sort(), ["args", "caller", "command", "keyId", "nonce", "sig", "target", "ts"]);
    assert.equal(request.target, "*");
    assert.equal(audits.at(-1)?.keyId, request.keyId, "the audit names the signing key");

    // Replay: the same bytes again, to the same subject.
    assert.match(refusal(await ask(sniffer, msg!.subject, msg!.data)), /replayed/);
    // Tampered args (the signature covers them).
    assert.match(refusal(await ask(sniffer, msg!.subject, JSON.stringify({ ...request, args: ["--everything"], nonce: "fresh-1" }))), /bad signature/);
    // A fresh nonce on captured fields is not enough either: the nonce is signed too.
    assert.match(refusal(await ask(sniffer, msg!.subject, JSON.stringify({ ...request, nonce: "fresh-2" }))), /bad signature/);
    // Re-targeted: a broadcast captured and sent to one node's subject, or under another command.
    assert.match(refusal(await ask(sniffer, nodeSubject("n1", "touch"), msg!.data)), /target/);
    assert.match(refusal(await ask(sniffer, broadcastSubject("status"), msg!.data)), /command/);
    // Stale and future-dated requests, correctly signed.
    const [stale] = await callAdmin(client, "touch", ["old"], { token: TOKEN, now: () => Date.now() - 60_000, timeoutMs: 5_000 });
    assert.match(refusal(stale), /stale/);
    const [future] = await callAdmin(client, "touch", ["future"], { token: TOKEN, now: () => Date.now() + 60_000, timeoutMs: 5_000 });
    assert.match(refusal(future), /future/);
    // Another token, no token, and the old cleartext form.
    assert.match(refusal((await callAdmin(client, "touch", [], { token: "tok_other_" + "x".repeat(20), timeoutMs: 5_000 }))[0]), /unknown admin key/);
    assert.match(refusal((await callAdmin(client, "touch", [], { timeoutMs: 5_000 }))[0]), /not signed/);
    assert.match(refusal(await ask(sniffer, broadcastSubject("touch"), JSON.stringify({ command: "touch", args: [], caller: "x", token: TOKEN }))), /not signed/);

    assert.deepEqual(runs, [["--all"]], "nothing but the one genuine request ran");
    // A node-addressed request signs its target; it works once.
    const [direct] = await callAdmin(client, "touch", ["one"], { token: TOKEN, nodeId: "n1", onBehalfOf: "web:token-abc@10.0.0.1", timeoutMs: 5_000 });
    assert.ok(direct?.ok);
    assert.equal(audits.at(-1)?.onBehalfOf, "web:token-abc@10.0.0.1");
    const refusedDetails = audits.filter((a) => a.result === "rejected").map((a) => a.detail ?? "");
    assert.equal(refusedDetails.length, 10, JSON.stringify(refusedDetails));
  } finally {
    await admin[Symbol.asyncDispose]();
    await Promise.all([node.close(), client.close(), sniffer.close()]);
  }
});

test("malformed signed fields are a bad request, not a crash", async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const admin = new AdminService(nc, "n1", AdminAuth.fromConfig([TOKEN], "/nonexistent"));
  admin.register("touch", () => "touched");
  admin.start();
  try {
    const base = { command: "touch", args: [], target: "*", ts: Date.now(), nonce: "n", caller: "c", keyId: "k", sig: "s" };
    for (const [bad, why] of [
      [{ ...base, ts: "now" }, /ts must be an integer/],
      [{ ...base, args: [1] }, /args must be an array of strings/],
      [{ ...base, nonce: "x".repeat(65) }, /nonce is too long/],
      [{ ...base, keyId: "" }, /keyId must be a non-empty string/],
      ["null", /malformed/],
    ] as const) {
      const reply = await ask(nc, broadcastSubject("touch"), typeof bad === "string" ? bad : JSON.stringify(bad));
      assert.ok(!reply.ok && reply.code === "bad-request" && why.test(reply.error), JSON.stringify(reply));
    }
  } finally {
    await admin[Symbol.asyncDispose]();
    await nc.close();
  }
});

test("a request captured before a node restarted cannot be replayed to the new process (its nonces are gone)", async () => {
  await using server = await startNatsServer();
  const node = await connect({ servers: server.url });
  const client = await connect({ servers: server.url });
  const sniffer = await connect({ servers: server.url });
  const runs: string[] = [];
  const serve = (label: string) => {
    const admin = new AdminService(node, "n1", AdminAuth.fromConfig([TOKEN], "/nonexistent"));
    admin.register("touch", () => (runs.push(label), "touched"));
    admin.start();
    return admin;
  };
  let admin = serve("first");
  try {
    await node.flush();
    const captured: Msg[] = [];
    sniffer.subscribe("admin.>", { callback: (_err, msg) => void captured.push(msg) });
    await sniffer.flush();
    const [ok] = await callAdmin(client, "touch", [], { token: TOKEN, timeoutMs: 5_000 });
    assert.ok(ok?.ok, JSON.stringify(ok));
    const [msg] = await waitFor(() => (captured.length === 1 ? captured : undefined), { what: "the sniffer's copy" });

    // The node restarts within the skew window: a new process, an empty nonce memory.
    await admin[Symbol.asyncDispose]();
    await new Promise((resolve) => setTimeout(resolve, 5));
    admin = serve("second");
    await node.flush(); // the new process's subscription is on the server before the replay arrives
    assert.match(refusal(await ask(sniffer, msg!.subject, msg!.data)), /before this node started/);
    assert.deepEqual(runs, ["first"], "the replay ran nothing");
    // A request signed now still runs.
    const [again] = await callAdmin(client, "touch", [], { token: TOKEN, timeoutMs: 5_000 });
    assert.ok(again?.ok, JSON.stringify(again));
    assert.deepEqual(runs, ["first", "second"]);
  } finally {
    await admin[Symbol.asyncDispose]();
    await Promise.all([node.close(), client.close(), sniffer.close()]);
  }
});
