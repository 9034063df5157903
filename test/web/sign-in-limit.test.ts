/**
 * Failed token attempts are limited per client address (10 per 5 minutes by default): signing in,
 * and tokens on /trpc (bearer, x-admin-token, the WebSocket upgrade). Real server and NATS; the
 * limit's clock is injected so the window can end without waiting.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { raw, upgradeStatus } from "../helpers/raw-http.js";
import { startWebStack } from "./fixtures.js";

const READ_TOKEN = "read_" + "r".repeat(27);
const ADMIN_TOKEN = "adm_" + "Qz7".repeat(10);

function signIn(url: string, token: string) {
  return raw(`${url}/auth/session`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) });
}

test("sign-in: 10 wrong tokens, then 429 with Retry-After for every attempt (a right token too) until the window ends; successes are not counted", async () => {
  let now = 1_000_000;
  await using stack = await startWebStack({ readTokens: [READ_TOKEN], admin: { tokens: [ADMIN_TOKEN] }, failureLimit: { now: () => now } });
  const { url } = stack.server;
  for (let i = 0; i < 3; i++) assert.equal((await signIn(url, READ_TOKEN)).status, 204, "a success is not counted");
  const session = String((await signIn(url, READ_TOKEN)).headers["set-cookie"]).split(";")[0]!;
  for (let i = 0; i < 10; i++) {
    const r = await signIn(url, `guess-${i}`);
    assert.equal(r.status, 401, `guess ${i}: ${r.body}`);
  }
  now += 60_000;
  const limited = await signIn(url, "guess-10");
  assert.equal(limited.status, 429, limited.body);
  assert.equal(limited.headers["retry-after"], "240", "the window runs 5 minutes from the first failure");
  assert.match(JSON.parse(limited.body).message, /too many failed sign-ins from this address: try again in 240 s/);
  assert.equal((await signIn(url, ADMIN_TOKEN)).status, 429, "a right token is refused too, or a guess could be told apart");
  assert.equal((await raw(`${url}/trpc/market.symbols`, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status, 429, "the same limit holds for tokens on the API");
  assert.equal((await raw(`${url}/trpc/market.symbols`, { headers: { cookie: session } })).status, 200, "an open session (no token sent) keeps reading");

  now += 240_000;
  assert.equal((await signIn(url, READ_TOKEN)).status, 204, "the window ended");
});

test("tokens on /trpc: wrong bearer and x-admin-token headers count; past the limit the API and the WebSocket upgrade answer 429", async () => {
  let now = 5_000_000;
  await using stack = await startWebStack({ readTokens: [READ_TOKEN], admin: { tokens: [ADMIN_TOKEN] }, failureLimit: { now: () => now } });
  const { url } = stack.server;
  const query = `${url}/trpc/market.symbols`;
  const ws = `${url.replace("http", "ws")}/trpc`;
  for (let i = 0; i < 5; i++) assert.equal((await raw(query, { headers: { authorization: `Bearer guess-${i}` } })).status, 401);
  for (let i = 0; i < 4; i++) assert.equal((await raw(query, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status, 200, "right tokens are not counted");
  // A read-token holder guessing admin tokens: the read works, each guess counts.
  for (let i = 0; i < 4; i++) assert.equal((await raw(query, { headers: { authorization: `Bearer ${READ_TOKEN}`, "x-admin-token": `admin-guess-${i}` } })).status, 200);
  assert.equal(await upgradeStatus(ws, { authorization: "Bearer guess-ws" }), 401, "the 10th failure");
  const limited = await raw(query, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
  assert.equal(limited.status, 429, limited.body);
  assert.equal(limited.headers["retry-after"], "300");
  assert.equal(JSON.parse(limited.body).error.data.code, "TOO_MANY_REQUESTS");
  assert.equal(await upgradeStatus(ws, { authorization: `Bearer ${READ_TOKEN}` }), 429);
  assert.equal((await signIn(url, READ_TOKEN)).status, 429, "sign-in shares the count");

  now += 300_000;
  assert.equal((await raw(query, { headers: { authorization: `Bearer ${READ_TOKEN}` } })).status, 200);
});

test("an admin token sent in a mutation's input (MLOps train) counts too: past the limit the mutation answers 429", async () => {
  let now = 9_000_000;
  await using stack = await startWebStack({ admin: { tokens: [ADMIN_TOKEN] }, failureLimit: { now: () => now } });
  const { url } = stack.server;
  const train = (token: string) => raw(`${url}/trpc/mlops.train`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ symbol: "BTCUSDT", token }) });
  for (let i = 0; i < 10; i++) {
    const r = await train(`guess-${i}`);
    assert.equal(r.status, 401, r.body);
  }
  const limited = await train(ADMIN_TOKEN);
  assert.equal(limited.status, 429, limited.body);
  assert.match(JSON.parse(limited.body).error.message, /too many failed token attempts from this address: try again in 300 s/);
  assert.equal((await signIn(url, ADMIN_TOKEN)).status, 429, "the same count as sign-in");
  now += 300_000;
  assert.notEqual((await train(ADMIN_TOKEN)).status, 429, "the window ended (the command itself finds no node here)");
});
