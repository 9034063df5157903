import { test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { BACKENDS } from "./fixtures/backends.js";
import { startS3Server } from "../helpers-s3/s3-server.js";
import { LakeStorageError } from "../../src/lake/errors.js";
import { testS3Storage } from "./fixtures/s3-env.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

for (const backend of BACKENDS) {
  test(`storage contract (${backend.name}): put/get/head/list/delete`, async () => {
    await using fx = await backend.open();
    const s = fx.storage;
    assert.equal(await s.get("missing"), undefined);
    assert.equal(await s.head("missing"), undefined);
    await s.put("a/b/one.txt", bytes("one"));
    await s.put("a/b/two.txt", bytes("two"));
    await s.put("a/c.txt", bytes("c"));
    await s.put("z.txt", bytes("z"));
    assert.equal(text(await s.get("a/b/one.txt")), "one");
    await s.put("a/b/one.txt", bytes("uno"));
    assert.equal(text(await s.get("a/b/one.txt")), "uno");
    assert.equal((await s.head("a/b/two.txt"))?.size, 3);
    assert.deepEqual((await s.list("a/")).map((o) => o.key), ["a/b/one.txt", "a/b/two.txt", "a/c.txt"]);
    assert.deepEqual((await s.list("a/b/", "a/b/one.txt")).map((o) => o.key), ["a/b/two.txt"]);
    assert.deepEqual((await s.list("")).map((o) => o.key), ["a/b/one.txt", "a/b/two.txt", "a/c.txt", "z.txt"]);
    await s.delete("a/c.txt");
    await s.delete("a/c.txt");
    assert.equal(await s.get("a/c.txt"), undefined);
  });

  test(`storage contract (${backend.name}): putIfAbsent lets exactly one racer win`, async () => {
    await using fx = await backend.open();
    const s = fx.storage;
    assert.equal(await s.putIfAbsent("_delta_log/0.json", bytes("first")), true);
    assert.equal(await s.putIfAbsent("_delta_log/0.json", bytes("second")), false);
    assert.equal(text(await s.get("_delta_log/0.json")), "first");
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => s.putIfAbsent("race.json", bytes(`w${i}`))));
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal(text(await s.get("race.json")), `w${winner}`);
  });
}

test("test S3 server honours If-None-Match: * on PutObject with 412 over raw HTTP", async () => {
  await using s3 = await startS3Server();
  const bucket = s3.createBucket();
  const put = (headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${s3.endpoint}/${bucket}/k`, { method: "PUT", headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end("body");
    });
  assert.equal(await put({ "if-none-match": "*" }), 200);
  assert.equal(await put({ "if-none-match": "*" }), 412);
  assert.equal(await put({}), 200);
});

test("S3 storage surfaces an outage as a retryable LakeStorageError", async () => {
  await using s3 = await startS3Server();
  const storage = testS3Storage(s3.endpoint, s3.createBucket());
  s3.setDown(true);
  await assert.rejects(storage.put("x", bytes("x")), (err: unknown) => err instanceof LakeStorageError && err.retryable);
  await assert.rejects(storage.putIfAbsent("x", bytes("x")), LakeStorageError);
  s3.setDown(false);
  assert.equal(await storage.putIfAbsent("x", bytes("x")), true);
  storage.destroy();
});
