import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { BACKENDS } from "./fixtures/backends.js";
import { duckQuery, sqlList } from "./fixtures/duckdb.js";
import { DeltaTable } from "../../src/lake/table/table.js";
import { LakeWriter } from "../../src/lake/writer/lake-writer.js";
import { silverBarFromRow, silverBarsDefinition, silverBarsMapping, type SilverTableRow } from "../../src/lake/tables/silver-bars.js";
import { LocalStorage } from "../../src/lake/storage/local.js";
import { keyOfPath } from "../../src/lake/table/paths.js";

function bars(): SilverTableRow[] {
  const out: SilverTableRow[] = [];
  for (const [s, symbol] of ["BTCUSDT", "ETHUSDT"].entries()) {
    for (let i = 0; i < 12; i++) {
      const start = Date.UTC(2024, 7, 8, 23, 59) + i * 10_000;
      const first = i === 0;
      out.push({
        symbol,
        windowStart: start,
        windowEnd: start + 30_000,
        open: 100 + i,
        high: 101 + i,
        low: 99 + i,
        close: 100.5 + i,
        avgPrice: 100.25 + i,
        vwap: 100.3 + i,
        volume: 2.5 * (i + 1),
        tradeCount: 10 + i,
        volatility: first ? null : 0.1 * i,
        lag1: first ? null : 99.5 + i,
        lag3: i < 3 ? null : 97.5 + i,
        ma5: i < 5 ? null : 98 + i,
        ma10: i < 10 ? null : 95 + i,
        momentum: i < 3 ? null : 3,
        volatilityChange: i < 2 ? null : 0.1,
        prediction: s === 0 ? 101.5 + i : null,
        predictionModelVersion: s === 0 ? "rf-3" : null,
        closingTradeIngestTime: start + 29_990,
        emitTime: start + 30_050,
        logSeq: s * 100 + i + 1,
      });
    }
  }
  return out;
}

for (const backend of BACKENDS) {
  test(`silver bars (${backend.name}): round trip with nullable features, partitioned by symbol and date`, async () => {
    await using fx = await backend.open();
    const table = await DeltaTable.createIfAbsent(fx.storage, silverBarsDefinition);
    const writer = new LakeWriter({ table, mapping: silverBarsMapping, appId: "silver" });
    const all = bars();
    writer.add(all, 1);
    const r = (await writer.flush())!;
    assert.equal(r.files, 4, "2 symbols × 2 dates (the windows cross midnight UTC)");
    const back = (await table.read()).map(silverBarFromRow);
    const key = (b: SilverTableRow) => `${b.symbol}${b.windowStart}`;
    assert.deepEqual(back.sort((a, b) => key(a).localeCompare(key(b))), all.sort((a, b) => key(a).localeCompare(key(b))));
    const eth = await table.read({ filter: [{ column: "symbol", op: "=", value: "ETHUSDT" }] });
    assert.equal(eth.length, 12);

    if (fx.storage instanceof LocalStorage) {
      const root = fx.storage.root;
      const paths = [...(await table.snapshot()).files.values()].map((f) => join(root, keyOfPath(f.path)));
      const [row] = await duckQuery(
        `SELECT count(*)::INT AS n, min(epoch_ms(window_start))::BIGINT AS first, count(ma_10)::INT AS ma10,
                count(prediction)::INT AS predicted, sum(trade_count)::BIGINT AS trades, typeof(any_value(window_end)) AS t
         FROM read_parquet(${sqlList(paths)})`,
      );
      assert.deepEqual(row, { n: 24, first: String(Math.min(...all.map((b) => b.windowStart))), ma10: 4, predicted: 12, trades: String(all.reduce((s, b) => s + b.tradeCount, 0)), t: "TIMESTAMP WITH TIME ZONE" });
    }
  });
}
