/**
 * Lake.table(name) hands out one DeltaTable per name, so a reader that asks again (the ML watcher
 * reads every symbol's silver bars every hunt) replays only the commits since its last read
 * (issue 11: re-replaying the log per read took a fifth of the node's CPU at 1,000 symbols).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lake } from "../../src/lake/lake.js";
import { LocalStorage } from "../../src/lake/storage/local.js";
import { SILVER_BARS_TABLE } from "../../src/lake/tables/silver-bars.js";
import { LakeSilverSource } from "../../src/mlops/silver-source.js";
import { commitSilverRounds, countingLogReads } from "./fixtures/silver-rounds.js";

test("Lake.table: one table per name; a reread replays only the commits since the last read", async () => {
  const dir = mkdtempSync(join(tmpdir(), "lake-table-cache-"));
  try {
    const symbols = ["AAAUSDT", "BBBUSDT", "CCCUSDT"];
    await commitSilverRounds(new Lake(new LocalStorage(dir)), symbols, 13); // versions 0..13, a checkpoint at 10
    const { storage, logReads } = countingLogReads(new LocalStorage(dir));
    const lake = new Lake(storage);
    assert.equal(lake.table(SILVER_BARS_TABLE), lake.table(SILVER_BARS_TABLE));
    const source = new LakeSilverSource(lake);

    assert.equal((await source.bars("AAAUSDT")).length, 13);
    const firstRead = logReads();
    assert.ok(firstRead >= 3, `the first read replays the checkpoint and the commits after it (${firstRead} log reads)`);
    for (const s of symbols) assert.equal((await source.bars(s)).length, 13);
    assert.equal(logReads(), firstRead, "rereads with no new commit read no log object");

    await commitSilverRounds(new Lake(new LocalStorage(dir)), symbols, 1, 13); // another process commits version 14
    assert.equal((await source.bars("BBBUSDT")).length, 14, "a commit made elsewhere is seen");
    assert.equal(logReads(), firstRead + 1, "only the new commit is read");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
