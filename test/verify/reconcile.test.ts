import { test } from "node:test";
import assert from "node:assert/strict";
import type { Trade } from "../../src/market/trade.js";
import { RangeSet } from "../../src/verify/range-set.js";
import { barVerdict, BronzeTrades, ExpectedBars, hasBarFinding, hasTradeFinding, LogTrades, SilverWindows, statusOf, totalsOf, tradeVerdict } from "../../src/verify/reconcile.js";

const T0 = 1_700_000_000_000; // a multiple of the 10 s slide
const SLIDE = 10_000;

function trade(id: number, time: number): Trade {
  return { source: "binance", symbol: "BTCUSDT", tradeId: id, price: 100 + (id % 7), quantity: 0.5, priceText: String(100 + (id % 7)), quantityText: "0.5", tradeTime: time, eventTime: time, ingestTime: time, buyerIsMaker: false };
}

function log(ids: number[]): LogTrades {
  const l = new LogTrades();
  for (const id of ids) l.add(id);
  return l;
}

function bronze(ids: number[]): BronzeTrades {
  const b = new BronzeTrades();
  for (const id of ids) b.add(id);
  return b;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("trade ids: holes, exchange gaps, losses, extras and duplicates", () => {
  const cases: {
    name: string;
    log: number[];
    bronze: number[];
    consecutive?: boolean;
    gaps?: RangeSet;
    want: { holes: [number, number][]; reported: number; missing: [number, number][]; extra: [number, number][]; dups: [number, number][] };
  }[] = [
    { name: "clean", log: range(1, 100), bronze: range(1, 100), want: { holes: [], reported: 0, missing: [], extra: [], dups: [] } },
    { name: "a trade lost on the way to bronze", log: range(1, 100), bronze: [...range(1, 41), ...range(43, 100)], want: { holes: [], reported: 0, missing: [[42, 42]], extra: [], dups: [] } },
    { name: "a trade written twice", log: range(1, 100), bronze: [...range(1, 100), 57], want: { holes: [], reported: 0, missing: [], extra: [], dups: [[57, 57]] } },
    { name: "a trade bronze has that the log never had", log: range(1, 100), bronze: [...range(1, 100), 105], want: { holes: [], reported: 0, missing: [], extra: [[105, 105]], dups: [] } },
    { name: "bronze from before the log's first id is not compared", log: range(50, 100), bronze: range(1, 100), want: { holes: [], reported: 0, missing: [], extra: [], dups: [] } },
    { name: "a hole in the log, unreported", log: [...range(1, 9), ...range(15, 20)], bronze: [...range(1, 9), ...range(15, 20)], want: { holes: [[10, 14]], reported: 0, missing: [], extra: [], dups: [] } },
    { name: "a hole ingest reported as an exchange gap", log: [...range(1, 9), ...range(15, 20)], bronze: [...range(1, 9), ...range(15, 20)], gaps: RangeSet.of([10, 14]), want: { holes: [], reported: 5, missing: [], extra: [], dups: [] } },
    { name: "a hole partly reported", log: [...range(1, 9), ...range(15, 20)], bronze: [...range(1, 9), ...range(15, 20)], gaps: RangeSet.of([10, 12]), want: { holes: [[13, 14]], reported: 3, missing: [], extra: [], dups: [] } },
    { name: "ids that only increase (custom source): jumps are no holes", log: [1, 5, 9], bronze: [1, 5, 9], consecutive: false, want: { holes: [], reported: 0, missing: [], extra: [], dups: [] } },
  ];
  for (const c of cases) {
    const v = tradeVerdict({ source: "binance", symbol: "BTCUSDT", consecutiveIds: c.consecutive ?? true, log: log(c.log), bronze: bronze(c.bronze), ...(c.gaps ? { reportedGaps: c.gaps } : {}), limit: 10 });
    assert.deepEqual(v.holes.ranges, c.want.holes, c.name);
    assert.equal(v.reportedGapIds, c.want.reported, c.name);
    assert.deepEqual(v.missingFromBronze.ranges, c.want.missing, c.name);
    assert.deepEqual(v.extraInBronze.ranges, c.want.extra, c.name);
    assert.deepEqual(v.duplicateIds.ranges, c.want.dups, c.name);
    const bad = c.want.holes.length + c.want.missing.length + c.want.extra.length + c.want.dups.length > 0;
    assert.equal(hasTradeFinding(v), bad, c.name);
    assert.equal(statusOf(totalsOf([v], [])), bad ? "FAILED" : "PASSED", c.name);
  }
});

test("a repeat in the log is counted, not a finding", () => {
  const v = tradeVerdict({ source: "binance", symbol: "BTCUSDT", consecutiveIds: true, log: log([1, 2, 2, 3]), bronze: bronze([1, 2, 3]), limit: 5 });
  assert.equal(v.logRepeats, 1);
  assert.equal(v.logTrades, 4);
  assert.equal(hasTradeFinding(v), false);
});

/** One trade a second for 100 s from T0: windows [T0, T0+30s) … [T0+60s, T0+90s) close (watermark T0+97s). */
function expectedBars(): ExpectedBars {
  const e = new ExpectedBars("BTCUSDT");
  for (let i = 0; i < 100; i++) e.add(trade(i + 1, T0 + i * 1000));
  return e;
}

function silver(indexes: number[]): SilverWindows {
  const s = new SilverWindows();
  for (const k of indexes) s.add(k);
  return s;
}

test("the replay expects every closed window from the first one it saw whole", () => {
  const e = expectedBars();
  const first = T0 / SLIDE;
  assert.equal(e.firstIndex, first);
  assert.deepEqual([...e.windows.ranges()], [[first, first + 6]]);
  // A redelivered (lower) id changes nothing, as in the SymbolActor.
  e.add(trade(50, T0 + 200_000));
  assert.equal(e.windows.size, 7);
  // Nor does a trade the actor refuses: a zero price far ahead would otherwise close every window up to it.
  e.add({ ...trade(101, T0 + 300_000), price: 0 });
  assert.equal(e.windows.size, 7);
});

test("bars: missing, doubled, unexpected and pending windows", () => {
  const k = T0 / SLIDE;
  const all = range(k, k + 6);
  const cases: { name: string; present: number[]; horizon: number | null; want: { missing: number[]; doubled: number[]; unexpected: number[]; pending: number } }[] = [
    { name: "clean", present: all, horizon: k + 6, want: { missing: [], doubled: [], unexpected: [], pending: 0 } },
    { name: "bars before the first whole window are not compared", present: [k - 2, k - 1, ...all], horizon: k + 6, want: { missing: [], doubled: [], unexpected: [], pending: 0 } },
    { name: "one missing", present: all.filter((x) => x !== k + 3), horizon: k + 6, want: { missing: [k + 3], doubled: [], unexpected: [], pending: 0 } },
    { name: "one doubled", present: [...all, k + 2], horizon: k + 6, want: { missing: [], doubled: [k + 2], unexpected: [], pending: 0 } },
    { name: "one bar no trade closed", present: [...all.slice(0, 3), k + 100, ...all.slice(3)], horizon: k + 6, want: { missing: [], doubled: [], unexpected: [], pending: 0 } },
    { name: "the silver writer has not committed the last two yet", present: all.slice(0, 5), horizon: k + 4, want: { missing: [], doubled: [], unexpected: [], pending: 2 } },
    { name: "nothing committed to silver for this symbol yet", present: [], horizon: null, want: { missing: [], doubled: [], unexpected: [], pending: 7 } },
  ];
  for (const c of cases) {
    const v = barVerdict({ symbol: "BTCUSDT", expected: expectedBars(), silver: silver(c.present), horizonIndex: c.horizon, limit: 10 });
    const flat = (rs: [number, number][]) => rs.flatMap(([a, b]) => range(a / SLIDE, b / SLIDE));
    assert.deepEqual(flat(v.missing.ranges), c.want.missing, c.name);
    assert.deepEqual(flat(v.doubled.ranges), c.want.doubled, c.name);
    assert.deepEqual(flat(v.unexpected.ranges), c.want.unexpected, c.name);
    assert.equal(v.pending, c.want.pending, c.name);
    assert.equal(hasBarFinding(v), c.want.missing.length + c.want.doubled.length + c.want.unexpected.length > 0, c.name);
  }
});

test("a bar inside the replayed span that no trade closed is unexpected", () => {
  const k = T0 / SLIDE;
  // Trades in two bursts leave windows k+10 … k+12 empty; a bar there came from nowhere.
  const e = new ExpectedBars("BTCUSDT");
  for (let i = 0; i < 40; i++) e.add(trade(i + 1, T0 + i * 1000));
  for (let i = 0; i < 40; i++) e.add(trade(i + 41, T0 + 150_000 + i * 1000));
  const present = [...e.windows.ranges()].flatMap(([a, b]) => range(a, b));
  assert.ok(!present.includes(k + 11));
  const v = barVerdict({ symbol: "BTCUSDT", expected: e, silver: silver([...present, k + 11]), horizonIndex: e.windows.max!, limit: 10 });
  assert.deepEqual(v.unexpected.ranges, [[(k + 11) * SLIDE, (k + 11) * SLIDE]]);
  assert.equal(statusOf(totalsOf([], [v])), "FAILED");
});
