/** The ingested symbol set shared by every ingest node through a real NATS KV bucket. */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { effectiveSymbols, SharedSymbols } from "../../src/node/components/ingest-symbols.js";
import { startNatsServer } from "../helpers/nats-server.js";

// A private server like every other test's: the suite needs no NATS at 127.0.0.1:4222.
const server = await startNatsServer();
const nc = await connect({ servers: server.url });
after(async () => {
  await nc.close();
  await server[Symbol.asyncDispose]();
});

test("the set is the configured symbols with the admin switches over them", () => {
  assert.deepEqual(effectiveSymbols(["AUSDT", "BUSDT"], new Map([["CUSDT", "on"], ["AUSDT", "off"], ["BUSDT", "on"]])).sort(), ["BUSDT", "CUSDT"]);
  assert.deepEqual(effectiveSymbols(["AUSDT"], new Map()), ["AUSDT"]);
});

async function until(what: string, holds: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !holds(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(holds(), what);
}

test("a subscribe or unsubscribe made on one node reaches the others, and a node started later reads the same set", async () => {
  const bucket = `test_ingest_symbols_${randomUUID().slice(0, 8)}`;
  const kvm = new Kvm(nc);
  await kvm.create(bucket, { history: 1 });
  try {
    const configured = ["BTCUSDT", "ETHUSDT"];
    const seenByB: string[] = [];
    const a = await SharedSymbols.open(nc, { configured, bucket, onChange: () => {} });
    const b = await SharedSymbols.open(nc, { configured, bucket, onChange: (added, removed) => seenByB.push(...added.map((s) => `+${s}`), ...removed.map((s) => `-${s}`)) });
    await a.set(["SOLUSDT"], "on");
    assert.ok(a.symbols().includes("SOLUSDT"), "applied on the node that made the change before it answers");
    await until("B hears of the subscribe", () => seenByB.includes("+SOLUSDT"));
    await b.set(["BTCUSDT"], "off");
    await until("A hears of the unsubscribe of a configured symbol", () => !a.symbols().includes("BTCUSDT"));
    await a.set(["SOLUSDT"], "on"); // again: no change, no event
    const later = await SharedSymbols.open(nc, { configured, bucket, onChange: () => {} });
    assert.deepEqual(later.symbols().sort(), ["ETHUSDT", "SOLUSDT"], "a node starting later with the same SYMBOLS reads the deployment's set");
    assert.deepEqual(seenByB, ["+SOLUSDT", "-BTCUSDT"]);
    for (const s of [a, b, later]) s.stop();
  } finally {
    await (await kvm.open(bucket)).destroy().catch(() => {});
  }
});
