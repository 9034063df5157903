import { test } from "node:test";
import assert from "node:assert/strict";
import { filterSymbols } from "../../src/web/app/ui/symbol-filter.js";

test("symbol filter: prefix matches first (shorter first), then inner matches, case-insensitive, limited with a count of the rest", () => {
  const symbols = ["ETHUSDT", "BTCUSDT", "ETHBTC", "WBTCUSDT", "BNBUSDT"];
  assert.deepEqual(filterSymbols(symbols, "btc"), { shown: ["BTCUSDT", "ETHBTC", "WBTCUSDT"], more: 0 });
  assert.deepEqual(filterSymbols(["BTCDOMUSDT", "BTCUSDT"], "BTC").shown, ["BTCUSDT", "BTCDOMUSDT"]);
  assert.deepEqual(filterSymbols(symbols, " eth "), { shown: ["ETHBTC", "ETHUSDT"], more: 0 });
  assert.deepEqual(filterSymbols(symbols, "xyz"), { shown: [], more: 0 });
  assert.deepEqual(filterSymbols(symbols, "", 2), { shown: ["ETHBTC", "BNBUSDT"], more: 3 });
  const many = Array.from({ length: 5000 }, (_, i) => `S${i}USDT`);
  const r = filterSymbols(many, "s12");
  assert.equal(r.shown.length, 50);
  assert.deepEqual(r.shown.slice(0, 3), ["S12USDT", "S120USDT", "S121USDT"], "shorter names first: the exact one leads");
  assert.equal(r.more, 111 - 50);
});
