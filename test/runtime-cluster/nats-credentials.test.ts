/**
 * NATS client credentials against private nats-servers that require them: user/password (in the
 * URL, or NATS_USER/NATS_PASSWORD through the config), a token, an NKey seed file, and TLS with a
 * client certificate. Without them the connection fails with a clear error that shows no secret.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nkeys } from "@nats-io/nats-core";
import { connectNats, NatsConnectFailed } from "../../src/runtime/nats/index.js";
import { describeConfig, loadConfig, ConfigError } from "../../src/config/index.js";
import { connectCliNats } from "../../src/cli/nats.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { makeTestCertificates } from "../helpers/tls-certs.js";

const PASS = "pa55-w0rd-" + "q".repeat(12);

async function refused(attempt: Promise<unknown>, secret?: string): Promise<string> {
  let error: unknown;
  await attempt.then((nc) => (nc as { close(): Promise<void> }).close(), (err: unknown) => (error = err));
  assert.ok(error instanceof NatsConnectFailed, `expected NatsConnectFailed, got ${String(error)}`);
  if (secret) assert.ok(!error.message.includes(secret), `the error shows the secret: ${error.message}`);
  return error.message;
}

async function works(attempt: Promise<{ flush(): Promise<void>; close(): Promise<void> }>): Promise<void> {
  const nc = await attempt;
  await nc.flush();
  await nc.close();
}

test("user and password: in the URL, or from NATS_USER / NATS_PASSWORD; refused clearly without", async () => {
  await using server = await startNatsServer({ extraArgs: ["--user", "node", "--pass", PASS] });
  const withUserInfo = server.url.replace("nats://", `nats://node:${encodeURIComponent(PASS)}@`);
  await works(connectNats(withUserInfo, "url-creds", { timeoutMs: 3_000 }));
  await works(connectNats(server.url, "explicit-creds", { credentials: { user: "node", pass: PASS }, timeoutMs: 3_000 }));
  // The config path a node and the CLIs take.
  await works(connectCliNats(undefined, "cli", { NATS_URL: server.url, NATS_USER: "node", NATS_PASSWORD: PASS }));
  assert.deepEqual(loadConfig([], { NATS_URL: server.url, NATS_USER: "node", NATS_PASSWORD: PASS }).natsCredentials.user, "node");

  assert.match(await refused(connectNats(server.url, "anonymous", { timeoutMs: 3_000 })), /Authorization Violation.*refused no credentials: set NATS_USER\/NATS_PASSWORD/i);
  const wrong = await refused(connectNats(server.url.replace("nats://", "nats://node:wrong-pass-123@"), "wrong", { timeoutMs: 3_000 }), "wrong-pass-123");
  assert.match(wrong, /refused user "node"/);
  assert.match(wrong, new RegExp(`at nats://127\\.0\\.0\\.1:${server.port}:`), "the server is named, without credentials");
});

test("a token (NATS_TOKEN or nats://token@host) and an NKey seed file (NATS_CREDS)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "nats-nkey-"));
  try {
    await using tokenServer = await startNatsServer({ extraArgs: ["--auth", "t0ken-" + PASS] });
    await works(connectCliNats(undefined, "token", { NATS_URL: tokenServer.url, NATS_TOKEN: "t0ken-" + PASS }));
    await works(connectNats(tokenServer.url.replace("nats://", `nats://t0ken-${PASS}@`), "token-url", { timeoutMs: 3_000 }));
    await refused(connectNats(tokenServer.url, "no-token", { timeoutMs: 3_000 }));

    const user = nkeys.createUser();
    const seedFile = join(dir, "user.nk");
    writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()) + "\n", { mode: 0o600 });
    const conf = join(dir, "server.conf");
    writeFileSync(conf, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    await using nkeyServer = await startNatsServer({ extraArgs: ["-c", conf] });
    await works(connectCliNats(undefined, "nkey", { NATS_URL: nkeyServer.url, NATS_CREDS: seedFile }));
    await refused(connectNats(nkeyServer.url, "no-nkey", { timeoutMs: 3_000 }));
    const notASeed = join(dir, "nonsense");
    writeFileSync(notASeed, "hello\n");
    await assert.rejects(connectNats(nkeyServer.url, "bad-file", { credentials: { credsFile: notASeed } }), /neither a \.creds file nor an NKey user seed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("TLS: the server's CA from NATS_TLS_CA and a client certificate; without them the connection fails", async () => {
  using certs = makeTestCertificates();
  await using server = await startNatsServer({ extraArgs: ["--tls", "--tlscert", certs.serverCert, "--tlskey", certs.serverKey, "--tlscacert", certs.ca, "--tlsverify"] });
  await works(connectCliNats(undefined, "tls", { NATS_URL: server.url, NATS_TLS_CA: certs.ca, NATS_TLS_CERT: certs.clientCert, NATS_TLS_KEY: certs.clientKey }));
  await refused(connectNats(server.url, "no-ca", { timeoutMs: 3_000 }));
  await refused(connectNats(server.url, "no-client-cert", { credentials: { tls: { caFile: certs.ca } }, timeoutMs: 3_000 }));
});

test("credentials are validated at start and masked when the configuration is printed", () => {
  const text = describeConfig([], { NATS_URL: `nats://node:${PASS}@a:4222,nats://node:${PASS}@b:4222`, NATS_PASSWORD: PASS, NATS_TOKEN: "tok-" + PASS }).join("\n");
  assert.ok(!text.includes(PASS), text);
  assert.match(text, /NATS_URL=nats:\/\/node:\*\*\*\*@a:4222,nats:\/\/node:\*\*\*\*@b:4222/);
  assert.match(describeConfig([], { NATS_URL: "nats://s3cr3t-token@a:4222" }).join("\n"), /NATS_URL=nats:\/\/\*\*\*\*@a:4222/);
  assert.match(describeConfig([], { NATS_URL: "nats://a:4222" }).join("\n"), /NATS_URL=nats:\/\/a:4222\n/);
  const cases: [Record<string, string>, RegExp][] = [
    [{ NATS_USER: "node" }, /needs a password \(NATS_PASSWORD\)/],
    [{ NATS_PASSWORD: "x" }, /needs a user \(NATS_USER\)/],
    [{ NATS_USER: "a", NATS_PASSWORD: "b", NATS_TOKEN: "c" }, /one kind of NATS credentials/],
    [{ NATS_URL: "nats://a:b@h:4222", NATS_USER: "a", NATS_PASSWORD: "b" }, /both in NATS_URL and in NATS_USER/],
    [{ NATS_URL: "nats://a:b@h:4222,nats://a:c@i:4222" }, /different credentials/],
    [{ NATS_TLS_CERT: "c.pem" }, /both NATS_TLS_CERT and NATS_TLS_KEY/],
    [{ NATS_INBOX_PREFIX: "_INBOX.>" }, /NATS_INBOX_PREFIX: "_INBOX\.>" is not a subject prefix/],
  ];
  assert.equal(loadConfig([], { NATS_INBOX_PREFIX: "_INBOX_admin" }).natsInboxPrefix, "_INBOX_admin");
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig([], env), (err: unknown) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});
