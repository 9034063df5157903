import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseBinanceFrame, type BinanceFrame } from "../../src/market/binance.js";
import { parseBinanceTradesCsvLine } from "../../src/market/binance-csv.js";
import { sharedData } from "../helpers/shared-data.js";

const WS = sharedData("binance-ws");
const read = (f: string) => readFileSync(`${WS}/${f}`, "utf8");
const INGEST = 1_700_000_000_123;

function trade(frame: BinanceFrame) {
  assert.equal(frame.kind, "trade", JSON.stringify(frame));
  if (frame.kind !== "trade") throw new Error("unreachable");
  return frame.trade;
}

test("Binance's documented trade event (current shape) maps s,p,q,T,t,m,E", () => {
  const t = trade(parseBinanceFrame(read("trade.json"), INGEST));
  assert.deepEqual(t, {
    source: "binance",
    symbol: "BNBBTC",
    tradeId: 12345,
    price: 0.001,
    quantity: 100,
    priceText: "0.001",
    quantityText: "100",
    tradeTime: 1672515782136,
    eventTime: 1672515782136,
    ingestTime: INGEST,
    buyerIsMaker: true,
  });
});

test("the pre-2024-06-18 trade shape (with b/a order ids) gives the same trade", () => {
  const legacy = trade(parseBinanceFrame(read("trade.legacy-before-2024-06-18.json"), INGEST));
  const current = trade(parseBinanceFrame(read("trade.json"), INGEST));
  assert.deepEqual(legacy, current);
});

test("a real combined-stream trade keeps the exact decimal strings and the stream name", () => {
  const frame = parseBinanceFrame(read("real-captures/combined.trade.BTCUSDT.2024-08-08.json"), INGEST);
  assert.equal(frame.stream, "btcusdt@trade");
  const t = trade(frame);
  assert.equal(t.symbol, "BTCUSDT");
  assert.equal(t.tradeId, 3735683259);
  assert.equal(t.priceText, "61837.63000000");
  assert.equal(t.quantityText, "0.02000000");
  assert.equal(t.price, 61837.63);
  assert.equal(t.quantity, 0.02);
  assert.equal(t.tradeTime, 1723161255342);
  assert.equal(t.eventTime, 1723161255343);
  assert.equal(t.buyerIsMaker, true);
});

test("control frames: subscribe/list responses, errors and serverShutdown (raw and combined)", () => {
  assert.deepEqual(parseBinanceFrame(read("subscribe.response.json"), INGEST), {
    kind: "control",
    control: { type: "response", id: 1, result: null },
    stream: null,
  });
  assert.deepEqual(parseBinanceFrame(read("list_subscriptions.response.json"), INGEST), {
    kind: "control",
    control: { type: "response", id: 3, result: ["btcusdt@aggTrade"] },
    stream: null,
  });
  assert.deepEqual(parseBinanceFrame('{"error":{"code":2,"msg":"Invalid request: unknown variant"},"id":7}', INGEST), {
    kind: "control",
    control: { type: "error", id: 7, code: 2, message: "Invalid request: unknown variant" },
    stream: null,
  });
  assert.deepEqual(parseBinanceFrame(read("serverShutdown.raw.json"), INGEST), {
    kind: "control",
    control: { type: "server-shutdown", eventTime: 1770123456789 },
    stream: null,
  });
  assert.deepEqual(parseBinanceFrame(read("serverShutdown.combined.json"), INGEST), {
    kind: "control",
    control: { type: "server-shutdown", eventTime: 1770123456789 },
    stream: "!serverShutdown",
  });
});

test("known non-trade events are ignored with their event type", () => {
  const cases: [string, string, string | null][] = [
    ["aggTrade.json", "aggTrade", null],
    ["kline.json", "kline", null],
    ["real-captures/combined.aggTrade.NKNUSDT.2021-10-12.json", "aggTrade", "nknusdt@aggTrade"],
    ["real-captures/combined.kline_1m.NKNUSDT.2021-10-12.json", "kline", "nknusdt@kline_1m"],
    ["real-captures/combined.bookTicker.NKNUSDT.2021-10-12.json", "bookTicker", "nknusdt@bookTicker"],
    ["real-captures/combined.depth100ms.NKNUSDT.2021-10-12.json", "depthUpdate", "nknusdt@depth@100ms"],
  ];
  for (const [file, eventType, stream] of cases) {
    assert.deepEqual(parseBinanceFrame(read(file), INGEST), { kind: "ignored", eventType, stream }, file);
  }
  // A raw bookTicker (no "e") and a REST depth snapshot line from the hftbacktest recording.
  assert.deepEqual(parseBinanceFrame('{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}', INGEST), {
    kind: "ignored",
    eventType: "bookTicker",
    stream: null,
  });
  assert.equal(parseBinanceFrame('{"lastUpdateId":1,"bids":[],"asks":[]}', INGEST).kind, "ignored");
});

test("every frame in the real cryptofeed capture parses to a non-invalid result", () => {
  const lines = readFileSync(sharedData("binance-recorded/cryptofeed-BINANCE.ws.1.0.txt"), "utf8").split("\n").slice(1);
  let n = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const json = line.slice(line.indexOf(": ") + 2);
    const frame = parseBinanceFrame(json, INGEST);
    assert.notEqual(frame.kind, "invalid", `${json.slice(0, 120)} → ${JSON.stringify(frame)}`);
    n++;
  }
  assert.equal(n, 265); // 266 non-empty lines, the first being the connect URL
});

const real = JSON.parse(read("real-captures/combined.trade.BTCUSDT.2024-08-08.json")) as { stream: string; data: Record<string, unknown> };
function withData(patch: Record<string, unknown>, remove: string[] = [], stream = real.stream): string {
  const data: Record<string, unknown> = { ...real.data, ...patch };
  for (const k of remove) delete data[k];
  return JSON.stringify({ stream, data });
}

test("bad frames are invalid with a machine code, a message and the field", () => {
  const cases: [string, string, string | undefined][] = [
    ["{not json", "not-json", undefined],
    ["[1,2]", "not-object", undefined],
    ["42", "not-object", undefined],
    ['{"stream":5,"data":{}}', "bad-envelope", undefined],
    ['{"stream":"btcusdt@trade"}', "bad-envelope", undefined],
    ['{"stream":"btcusdt@trade","data":"x"}', "not-object", undefined],
    ['{"e":"weirdEvent","E":1}', "unknown-event", "e"],
    ['{"e":5}', "bad-field", "e"],
    ['{"foo":1}', "missing-field", "e"],
    [withData({}, ["s"]), "missing-field", "s"],
    [withData({}, ["t"]), "missing-field", "t"],
    [withData({}, ["p"]), "missing-field", "p"],
    [withData({}, ["q"]), "missing-field", "q"],
    [withData({}, ["T"]), "missing-field", "T"],
    [withData({}, ["E"]), "missing-field", "E"],
    [withData({}, ["m"]), "missing-field", "m"],
    [withData({ s: "ETHUSDT" }), "symbol-mismatch", "s"],
    [withData({ t: -1 }), "bad-field", "t"],
    [withData({ t: 1.5 }), "bad-field", "t"],
    [withData({ t: "3735683259" }), "bad-field", "t"],
    [withData({ p: 61837.63 }), "bad-price", "p"],
    // Price texts that are not a positive plain decimal.
    ...["0", "0.00000000", "-1.5", "1e3", "Infinity", "NaN", " 1.0", "1.2.3", ".", ""].map((p): [string, string, string] => [withData({ p }), "bad-price", "p"]),
    [withData({ q: "abc" }), "bad-quantity", "q"],
    [withData({ q: "0" }), "bad-quantity", "q"],
    [withData({ q: 1 }), "bad-quantity", "q"],
    [withData({ T: 0 }), "bad-field", "T"],
    [withData({ T: "1723161255342" }), "bad-field", "T"],
    [withData({ m: "true" }), "bad-field", "m"],
    [withData({ s: "" }), "bad-field", "s"],
  ];
  for (const [text, code, field] of cases) {
    const f = parseBinanceFrame(text, INGEST);
    assert.equal(f.kind, "invalid", `${text} → ${JSON.stringify(f)}`);
    if (f.kind !== "invalid") continue;
    assert.equal(f.reason.code, code, text);
    assert.equal(f.reason.field, field, text);
    assert.ok(f.reason.message.length > 5, text);
  }
});

test("a combined aggTrade whose symbol disagrees with the stream is invalid, not ignored", () => {
  const f = parseBinanceFrame('{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"ETHUSDT"}}', INGEST);
  assert.equal(f.kind === "invalid" && f.reason.code, "symbol-mismatch");
});

test("microsecond trade and event times (timeUnit=MICROSECOND) are floored to ms", () => {
  const t = trade(parseBinanceFrame(withData({ T: 1723161255342999, E: 1723161255343001 }), INGEST));
  assert.equal(t.tradeTime, 1723161255342);
  assert.equal(t.eventTime, 1723161255343);
});

test("lower-case raw symbols are normalised to upper case", () => {
  const raw = JSON.stringify({ ...real.data, s: "btcusdt" });
  assert.equal(trade(parseBinanceFrame(raw, INGEST)).symbol, "BTCUSDT");
});

test("historical trades CSV lines: ms and µs times, header, blank, bad values", () => {
  const ctx = { symbol: "BTCUSDT", ingestTime: INGEST };
  assert.deepEqual(parseBinanceTradesCsvLine("id,price,qty,quote_qty,time,is_buyer_maker,is_best_match", ctx), { kind: "skip", why: "header" });
  assert.deepEqual(parseBinanceTradesCsvLine("id,price,qty,quote_qty,time,is_buyer_maker", ctx), { kind: "skip", why: "header" });
  assert.deepEqual(parseBinanceTradesCsvLine("  \r", ctx), { kind: "skip", why: "blank" });
  const ms = parseBinanceTradesCsvLine("3735683259,61837.63000000,0.02000000,1236.75260000,1723161255342,True,True\r", ctx);
  assert.deepEqual(ms, {
    kind: "trade",
    trade: {
      source: "binance",
      symbol: "BTCUSDT",
      tradeId: 3735683259,
      price: 61837.63,
      quantity: 0.02,
      priceText: "61837.63000000",
      quantityText: "0.02000000",
      tradeTime: 1723161255342,
      eventTime: 1723161255342,
      ingestTime: INGEST,
      buyerIsMaker: true,
    },
  });
  const us = parseBinanceTradesCsvLine("4000000000,93000.01,0.001,93.00001,1735689600123456,false,true", ctx);
  assert.equal(us.kind === "trade" && us.trade.tradeTime, 1735689600123);
  assert.equal(us.kind === "trade" && us.trade.buyerIsMaker, false);
  const futures = parseBinanceTradesCsvLine("1,100.5,2,201,1723161255342,false", ctx);
  assert.equal(futures.kind, "trade");
  const bad: [string, string][] = [
    ["1,100.5,2", "line"],
    ["x,100.5,2,201,1723161255342,false,true", "id"],
    ["1,-100.5,2,201,1723161255342,false,true", "price"],
    ["1,100.5,two,201,1723161255342,false,true", "qty"],
    ["1,100.5,2,201,,false,true", "time"],
    ["1,100.5,2,201,1723161255342,maybe,true", "is_buyer_maker"],
  ];
  for (const [line, field] of bad) {
    const r = parseBinanceTradesCsvLine(line, ctx);
    assert.equal(r.kind === "invalid" && r.reason.field, field, line);
  }
});
