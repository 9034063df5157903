import { test } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { MarketSimulator } from "../../src/simulator/server.js";
import { ReplaySource } from "../../src/simulator/replay-source.js";
import { SyntheticSource } from "../../src/simulator/synthetic-source.js";
import { waitFor } from "../helpers/wait.js";
import { FIRST_ID, RECORDING } from "./support.js";

function collect(ws: WebSocket): string[] {
  const got: string[] = [];
  ws.on("message", (d) => got.push(d.toString()));
  return got;
}

test("raw /ws/<stream> gets bare events; live SUBSCRIBE / LIST_SUBSCRIPTIONS answer like Binance; bad paths get 404", async () => {
  await using sim = await MarketSimulator.start({ source: new SyntheticSource({ symbols: ["BTCUSDT", "ETHUSDT"], tradesPerSecond: 500 }) });
  const ws = new WebSocket(`${sim.url}/ws/btcusdt@trade`);
  const got = collect(ws);
  await new Promise((r) => ws.once("open", r));
  await waitFor(() => got.length > 3, { what: "raw events" });
  const first = JSON.parse(got[0]!) as { e: string; s: string };
  assert.equal(first.e, "trade");
  assert.equal(first.s, "BTCUSDT");
  ws.send(JSON.stringify({ method: "SUBSCRIBE", params: ["ethusdt@trade"], id: 1 }));
  ws.send(JSON.stringify({ method: "LIST_SUBSCRIPTIONS", id: 3 }));
  await waitFor(() => got.includes('{"result":null,"id":1}') && got.includes('{"result":["btcusdt@trade","ethusdt@trade"],"id":3}'), { what: "control replies" });
  await waitFor(() => got.some((g) => g.includes('"s":"ETHUSDT"')), { what: "events of the new stream" });
  ws.close();
  const bad = new WebSocket(`${sim.url}/nope`);
  const err = await new Promise<Error>((r) => bad.once("error", r));
  assert.match(err.message, /404/);
});

test("HTTP hooks: stats and inject a frame; replay at real speed is paced by trade time", async () => {
  const source = await ReplaySource.load(RECORDING, 1);
  await using sim = await MarketSimulator.start({ source });
  const ws = new WebSocket(`${sim.url}/stream?streams=btcusdt@trade`);
  const got = collect(ws);
  await new Promise((r) => ws.once("open", r));
  await waitFor(() => got.length >= 1, { what: "first recorded trade" });
  assert.equal((JSON.parse(got[0]!) as { data: { t: number } }).data.t, FIRST_ID);
  // Real speed: the recording spans 11 minutes, so only a small prefix can have been sent yet.
  assert.ok((await (await fetch(`http://127.0.0.1:${sim.port}/sim/stats`)).json() as { eventsEmitted: number }).eventsEmitted < 19_904);
  const res = await fetch(`http://127.0.0.1:${sim.port}/sim/control?action=inject`, { method: "POST", body: "garbage frame" });
  assert.equal(res.status, 200);
  await waitFor(() => got.includes("garbage frame"), { what: "injected frame" });
  assert.equal((await fetch(`http://127.0.0.1:${sim.port}/sim/control?action=bogus`, { method: "POST" })).status, 400);
  ws.close();
});
