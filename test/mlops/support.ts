/** Shared test helpers for the MLOps tests: silver bars from the SymbolActor, lake rows, temp dirs. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Trade } from "../../src/market/trade.js";
import { createSymbolState, transition } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import { silverTableRow } from "../../src/lake/tables/silver-bars.js";

/** Runs the SymbolActor's transition over the trades (batches of `batch`) and returns its published bars. */
export function onlineBars(trades: readonly Trade[], symbol: string, batch = 97): SilverBar[] {
  const state = createSymbolState(symbol);
  const bars: SilverBar[] = [];
  for (let i = 0; i < trades.length; i += batch) {
    const slice = trades.slice(i, i + batch);
    for (const e of transition(state, { type: "trades", seq: i + slice.length, trades: slice }, 2_000_000_000_000 + i).effects) {
      if (e.type === "publish-bar") bars.push(e.bar);
    }
  }
  return bars;
}

/** A SilverBar as the lake's silver_bars table stores it: the lake writer's own mapping. */
export const lakeRowOf = silverTableRow;

export function tempDir(prefix = "mlops-"): { path: string } & Disposable {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}
