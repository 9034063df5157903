import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { klinesFileName, parseBinanceKlinesCsvLine } from "../../src/market/binance-klines.js";
import { sharedData } from "../helpers/shared-data.js";

const SAMPLE = sharedData("binance-recorded/nautilus-ADABTC-1m-2021-11-27.csv");

test("a data.binance.vision klines CSV line becomes a record of the exchange's candle, times in ms", () => {
  const lines = readFileSync(SAMPLE, "utf8").trim().split("\n");
  const parsed = lines.map((l) => parseBinanceKlinesCsvLine(l, "ADABTC"));
  assert.ok(parsed.every((p) => p.kind === "kline"));
  const first = parsed[0]!;
  assert.deepEqual(first.kind === "kline" && first.record, {
    timestamp: 1637971200000,
    symbol: "ADABTC",
    interval_ms: 60_000,
    open: 0.00002853,
    high: 0.00002854,
    low: 0.00002851,
    close: 0.00002854,
    volume: 36304.2,
    close_time: 1637971259999,
    quote_volume: 1.03547608,
    trades: 79,
    taker_buy_volume: 19523,
    taker_buy_quote_volume: 0.55694227,
  });
  // 2025+ spot files give µs: floored to ms, the same record.
  const micros = lines[0]!.replace("1637971200000", "1637971200000000").replace("1637971259999", "1637971259999999");
  const m = parseBinanceKlinesCsvLine(micros, "ADABTC");
  assert.deepEqual(m.kind === "kline" && [m.record.timestamp, m.record.close_time], [1637971200000, 1637971259999]);
  assert.deepEqual(parseBinanceKlinesCsvLine("open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore", "X"), { kind: "skip" });
  for (const [line, why] of [
    ["1,2,3", /expected 12 columns/],
    [lines[0]!.replace("0.00002853", "-1"), /open "-1" is not a non-negative decimal/],
    [lines[0]!.replace("1637971259999", "5"), /close_time "5"/],
    [lines[0]!.replace(",0.00002851,", ",0.1,"), /do not bound/],
  ] as const) {
    const p = parseBinanceKlinesCsvLine(line, "X");
    assert.ok(p.kind === "invalid" && why.test(p.message), `${line}: ${JSON.stringify(p)}`);
  }
  assert.deepEqual(klinesFileName("/tmp/BTCUSDT-1m-2024-08-08.zip"), { symbol: "BTCUSDT", interval: "1m" });
  assert.deepEqual(klinesFileName("ETHUSDT-1h-2024-08.csv"), { symbol: "ETHUSDT", interval: "1h" });
  assert.equal(klinesFileName("BTCUSDT-trades-2024-08-08.zip"), null);
});
