import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, describeConfig, loadConfig } from "../../src/config/index.js";

test("web allow-lists and limits: parsed once, normalised", () => {
  const c = loadConfig([], {
    WEB_ALLOWED_HOSTS: "Dash.Example.com, 10.0.0.5:3000, [::1]:8080",
    WEB_ALLOWED_ORIGINS: "https://dash.example.com, http://10.0.0.5:3000/",
    WEB_MAX_BODY: "65536",
    WEB_MAX_BATCH: "25",
    WEB_MAX_SUBSCRIPTIONS: "7",
    WEB_MAX_REPLAY: "100",
  });
  assert.deepEqual(c.web.allowedHosts, ["dash.example.com", "10.0.0.5:3000", "[::1]:8080"]);
  assert.deepEqual(c.web.allowedOrigins, ["https://dash.example.com", "http://10.0.0.5:3000"]);
  assert.deepEqual(c.web.limits, { maxBodyBytes: 65_536, maxBatch: 25, maxSubscriptions: 7, maxReplay: 100 });
});

test("bad web allow-list entries and limits are refused with a message naming the option", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ WEB_ALLOWED_HOSTS: "http://dash.example.com" }, /WEB_ALLOWED_HOSTS: "http:\/\/dash\.example\.com" is not a host name/],
    [{ WEB_ALLOWED_HOSTS: "dash.example.com:99999" }, /WEB_ALLOWED_HOSTS: "dash\.example\.com:99999"/],
    [{ WEB_ALLOWED_HOSTS: "*:3000" }, /WEB_ALLOWED_HOSTS: "\*:3000"/],
    [{ WEB_ALLOWED_HOSTS: "a b" }, /WEB_ALLOWED_HOSTS: "a b"/],
    [{ WEB_ALLOWED_ORIGINS: "dash.example.com" }, /WEB_ALLOWED_ORIGINS: "dash\.example\.com" is not an origin/],
    [{ WEB_ALLOWED_ORIGINS: "https://dash.example.com/app" }, /WEB_ALLOWED_ORIGINS: "https:\/\/dash\.example\.com\/app" is not an origin/],
    [{ WEB_ALLOWED_ORIGINS: "file:///tmp/x.html" }, /WEB_ALLOWED_ORIGINS: "file:\/\/\/tmp\/x\.html" is not an origin/],
    [{ WEB_MAX_BODY: "10" }, /WEB_MAX_BODY: 10 is outside 1024\.\./],
    [{ WEB_MAX_BATCH: "5" }, /WEB_MAX_BATCH: 5 is outside 20\.\./],
    [{ WEB_MAX_SUBSCRIPTIONS: "many" }, /WEB_MAX_SUBSCRIPTIONS: "many" is not an integer/],
    [{ WEB_MAX_REPLAY: "-1" }, /WEB_MAX_REPLAY: -1 is outside/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig([], env), (err: unknown) => err instanceof ConfigError && message.test(err.message), JSON.stringify(env));
  }
});

test("READ_TOKENS: a list, masked when the configuration is printed", () => {
  assert.deepEqual(loadConfig([], {}).readTokens, []);
  assert.deepEqual(loadConfig([], { READ_TOKENS: "read-one-token, read-two-token" }).readTokens, ["read-one-token", "read-two-token"]);
  assert.ok(describeConfig([], { READ_TOKENS: "read-one-token" }).includes("READ_TOKENS=****"));
});
