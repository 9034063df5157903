import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeCandle1m, decodeSilverBar, InvalidServingMessage } from "../../src/db/index.js";
import { barMessage, makeBar, makeCandle } from "./serving-rows.js";

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe("decodeSilverBar", () => {
  it("decodes a flat or nested bar message, with or without features and prediction", () => {
    for (const i of [0, 15]) {
      const row = makeBar("BTCUSDT", i);
      assert.deepEqual(decodeSilverBar(enc(barMessage(row, "flat"))), row);
      assert.deepEqual(decodeSilverBar(enc(barMessage(row, "nested"))), row);
    }
  });

  it("accepts the prediction as an object with its model version", () => {
    const row = makeBar("ETHUSDT", 20);
    const msg = { ...barMessage(row), prediction: { value: 2501.5, modelVersion: "ETHUSDT/v7" }, predictionModelVersion: undefined };
    const decoded = decodeSilverBar(JSON.stringify(msg));
    assert.equal(decoded.prediction, 2501.5);
    assert.equal(decoded.predictionModelVersion, "ETHUSDT/v7");
  });

  it("rejects what cannot be written, naming the field", () => {
    const row = makeBar("BTCUSDT", 3);
    const cases: [unknown, RegExp][] = [
      ["{not json", /not JSON/],
      [{ ...barMessage(row), close: "100" }, /close/],
      [{ ...barMessage(row), windowEnd: undefined }, /windowEnd/],
      [{ ...barMessage(row), tradeCount: 1.5 }, /tradeCount/],
      [{ ...barMessage(row), features: { lag_1: "x" } }, /features\.lag_1/],
    ];
    for (const [msg, re] of cases) {
      assert.throws(() => decodeSilverBar(typeof msg === "string" ? msg : JSON.stringify(msg)), (err: unknown) => err instanceof InvalidServingMessage && re.test(err.message), String(re));
    }
  });
});

describe("decodeCandle1m", () => {
  it("decodes a market Candle (extra fields ignored) and upper-cases the symbol", () => {
    const row = makeCandle("BTCUSDT", 4);
    const msg = { ...row, symbol: "btcusdt", intervalMs: 60_000, endTime: row.openTime + 60_000, firstTradeId: 1, lastTradeId: 9, closedByIngestTime: 5 };
    assert.deepEqual(decodeCandle1m(enc(msg)), row);
  });

  it("rejects other intervals and open times off the minute", () => {
    const row = makeCandle("BTCUSDT", 4);
    assert.throws(() => decodeCandle1m(JSON.stringify({ ...row, intervalMs: 300_000 })), InvalidServingMessage);
    assert.throws(() => decodeCandle1m(JSON.stringify({ ...row, openTime: row.openTime + 5 })), /whole minute/);
  });
});

describe("decodeSilverBar on the SymbolActor's own output", () => {
  it("keeps every field of a SilverBar the live path publishes, model version and emit time included", async () => {
    const { btcTrades } = await import("../market/fixtures.js");
    const { createSymbolState, transition } = await import("../../src/actors/symbol/index.js");
    const state = createSymbolState("BTCUSDT");
    const trades = btcTrades();
    const bars = [];
    for (let i = 0; i < trades.length; i += 500) {
      const { effects } = transition(state, { type: "trades", seq: i + 1, trades: trades.slice(i, i + 500) }, 1_700_000_000_000 + i);
      for (const e of effects) if (e.type === "publish-bar") bars.push(e.bar);
    }
    const warm = bars.find((b) => b.features !== null && b.prediction !== null);
    assert.ok(warm, "the recording yields warmed-up bars");
    const row = decodeSilverBar(JSON.stringify(warm));
    assert.equal(row.close, warm.close);
    assert.equal(row.lag3, warm.features!.lag_3);
    assert.equal(row.volatilityChange, warm.features!.volatility_change);
    assert.equal(row.prediction, warm.prediction);
    assert.equal(row.predictionModelVersion, warm.modelVersion);
    assert.equal(row.emitTime, warm.emittedAt);
    assert.equal(row.closingTradeIngestTime, warm.closedByIngestTime);
  });
});
