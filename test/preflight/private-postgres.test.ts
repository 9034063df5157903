/**
 * The private PostgreSQL `npm test` starts when nothing answers on 127.0.0.1:5432: a real initdb +
 * postgres on a free port, which the suite's client reaches, and which leaves nothing behind.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import pg from "pg";
import { findPostgresBinDir, startPrivatePostgres } from "../../scripts/preflight/private-postgres.mjs";

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

test("the PostgreSQL binaries are found under /usr/lib/postgresql/*/bin, or PG_BIN_DIR", () => {
  const found = findPostgresBinDir({});
  assert.ok(found && /^\/usr\/lib\/postgresql\/[\d.]+\/bin$/.test(found), `found ${found}`);
  assert.equal(findPostgresBinDir({ PG_BIN_DIR: found }), found);
  assert.equal(findPostgresBinDir({ PG_BIN_DIR: "/nonexistent" }), found, "a PG_BIN_DIR without the binaries is passed over");
});

test("a private server starts on a free port, takes a client's queries, and is stopped and removed on dispose", async () => {
  const server = await startPrivatePostgres();
  let disposed = false;
  try {
    assert.notEqual(server.port, 5432);
    assert.equal(server.url, `postgres://postgres@127.0.0.1:${server.port}/postgres`);
    assert.ok(existsSync(server.dataRoot));
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query("CREATE TABLE t (v int)");
      await client.query("INSERT INTO t VALUES (42)");
      const { rows } = await client.query<{ v: number; db: string }>("SELECT v, current_database() AS db FROM t");
      assert.deepEqual(rows, [{ v: 42, db: "postgres" }]);
    } finally {
      await client.end();
    }
    await server[Symbol.asyncDispose]();
    disposed = true;
    assert.equal(await portAnswers(server.port), false, "the postmaster is gone");
    assert.equal(existsSync(server.dataRoot), false, "its directory is removed");
  } finally {
    if (!disposed) await server[Symbol.asyncDispose]();
  }
});

test("a port another process took before postgres bound it is replaced by a free one (tests run two files at a time)", async () => {
  const squatter = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => squatter.listen(0, "127.0.0.1", () => resolve()));
  const taken = (squatter.address() as AddressInfo).port;
  try {
    await using server = await startPrivatePostgres({ port: taken });
    assert.notEqual(server.port, taken);
    assert.equal(server.url, `postgres://postgres@127.0.0.1:${server.port}/postgres`);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      assert.deepEqual((await client.query<{ one: number }>("SELECT 1 AS one")).rows, [{ one: 1 }]);
    } finally {
      await client.end();
    }
  } finally {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
  }
});
