/** The Host / Origin / content-type gate as a pure function of the request's headers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RequestPolicy, refusalBody } from "../../src/web/server/request-policy.js";
import { replayStart } from "../../src/web/server/limits.js";

test("Host: the server's own names at its port, WEB_HOST unless a wildcard address, and WEB_ALLOWED_HOSTS", () => {
  const table: [ConstructorParameters<typeof RequestPolicy>[0], string | undefined, boolean][] = [
    [{ listenHost: "127.0.0.1", port: 3000 }, "127.0.0.1:3000", true],
    [{ listenHost: "127.0.0.1", port: 3000 }, "localhost:3000", true],
    [{ listenHost: "127.0.0.1", port: 3000 }, "[::1]:3000", true],
    [{ listenHost: "127.0.0.1", port: 3000 }, "localhost", false],
    [{ listenHost: "127.0.0.1", port: 3000 }, "localhost:3001", false],
    [{ listenHost: "127.0.0.1", port: 3000 }, "evil.example:3000", false],
    [{ listenHost: "127.0.0.1", port: 3000 }, undefined, false],
    [{ listenHost: "127.0.0.1", port: 80 }, "localhost", true],
    [{ listenHost: "10.0.0.5", port: 3000 }, "10.0.0.5:3000", true],
    [{ listenHost: "::1", port: 3000 }, "[::1]:3000", true],
    [{ listenHost: "0.0.0.0", port: 3000 }, "0.0.0.0:3000", false],
    [{ listenHost: "0.0.0.0", port: 3000, allowedHosts: ["dash.example.com"] }, "dash.example.com", true],
    [{ listenHost: "0.0.0.0", port: 3000, allowedHosts: ["dash.example.com"] }, "DASH.example.com:3000", true],
    [{ listenHost: "0.0.0.0", port: 3000, allowedHosts: ["dash.example.com"] }, "dash.example.com:8443", false],
    [{ listenHost: "0.0.0.0", port: 3000, allowedHosts: ["dash.example.com:8443"] }, "dash.example.com:8443", true],
    [{ listenHost: "0.0.0.0", port: 3000, allowedHosts: ["dash.example.com:8443"] }, "dash.example.com", false],
    [{ listenHost: "0.0.0.0", port: 3000, allowedHosts: ["*"] }, "anything.example:1", true],
  ];
  for (const [options, host, allowed] of table) assert.equal(new RequestPolicy(options).hostAllowed(host), allowed, `${JSON.stringify(options)} ${host}`);
});

test("Origin: absent passes, the server's own or WEB_ALLOWED_ORIGINS pass, anything else is 403", () => {
  const p = new RequestPolicy({ listenHost: "127.0.0.1", port: 3000, allowedHosts: ["dash.example.com"], allowedOrigins: ["https://partner.example"] });
  const table: [string | undefined, boolean][] = [
    [undefined, true],
    ["http://127.0.0.1:3000", true],
    ["http://localhost:3000", true],
    ["https://dash.example.com", true],
    ["https://partner.example", true],
    ["https://partner.example:444", false],
    ["http://127.0.0.1:3001", false],
    ["null", false],
    ["file://", false],
    ["chrome-extension://abc", false],
    ["not a url", false],
  ];
  for (const [origin, allowed] of table) {
    const r = p.checkCaller({ host: "127.0.0.1:3000", ...(origin === undefined ? {} : { origin }) });
    assert.equal(r === null, allowed, String(origin));
    if (r) assert.equal(r.status, 403);
  }
});

test("tRPC POST bodies must be JSON; GET needs no content type", () => {
  const p = new RequestPolicy({ listenHost: "127.0.0.1", port: 3000 });
  const host = "127.0.0.1:3000";
  assert.equal(p.checkTrpc("POST", { host, "content-type": "application/json" }), null);
  assert.equal(p.checkTrpc("POST", { host, "content-type": "Application/JSON; charset=utf-8" }), null);
  assert.equal(p.checkTrpc("GET", { host }), null);
  for (const type of ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "text/plain", "application/octet-stream", "application/jsonx", undefined]) {
    assert.equal(p.checkTrpc("POST", { host, ...(type === undefined ? {} : { "content-type": type }) })?.status, 415, String(type));
  }
});

test("a refusal is a tRPC error envelope, one per call of a batch", () => {
  const refusal = { status: 403, code: "FORBIDDEN", message: "no" } as const;
  assert.deepEqual(JSON.parse(refusalBody(refusal, "/trpc/control.run")), { error: { message: "no", code: -32003, data: { code: "FORBIDDEN", httpStatus: 403 } } });
  const batch = JSON.parse(refusalBody(refusal, "/trpc/a.b,c.d?batch=1&input=%7B%7D")) as unknown[];
  assert.equal(batch.length, 2);
});

test("replayStart: a resume replays at most maxReplay stream messages", () => {
  const table: [number, number, number, number][] = [
    // afterSeq, lastSeq, maxReplay → first sequence delivered
    [0, 1000, 10, 991],
    [995, 1000, 10, 996],
    [1000, 1000, 10, 1001],
    [0, 5, 10, 1],
    [2000, 1000, 10, 2001],
  ];
  for (const [after, last, max, start] of table) assert.equal(replayStart(after, last, max), start, `${after} ${last} ${max}`);
});
