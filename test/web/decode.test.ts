/**
 * The web layer's tick decoder (src/web/server/decode.ts): the last trade's fields are checked as
 * the Trade contract checks them; its times may carry a sub-millisecond clock (bench/web.ts stamps
 * them so, and was refused while the decoder required whole milliseconds).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeTick } from "../../src/web/server/decode.js";
import { MalformedMessage } from "../../src/web/server/errors.js";

const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const now = performance.timeOrigin + performance.now();
const tick = { symbol: "BTCUSDT", price: 61_000.5, quantity: 0.01, tradeId: 42, tradeTime: now, ingestTime: now, tradesSinceLastTick: 3, candle: null, emittedAt: now };

test("a tick with sub-millisecond times decodes", () => {
  assert.deepEqual(decodeTick("ticks.BTCUSDT", encode(tick)), tick);
});

test("a tick whose trade breaks the Trade contract is refused, naming the field", () => {
  for (const [patch, field] of [[{ tradeId: 1.5 }, "tradeId"], [{ price: 0 }, "price"], [{ symbol: "btc usdt" }, "symbol"], [{ ingestTime: "soon" }, "ingestTime"]] as const) {
    assert.throws(() => decodeTick("ticks.BTCUSDT", encode({ ...tick, ...patch })), (e: unknown) => e instanceof MalformedMessage && e.message.includes(field), field);
  }
});
