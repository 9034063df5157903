/** Shared test helpers for the MLOps tests: silver bars from the SymbolActor, lake rows, temp dirs. */
import type { Trade } from "../../src/market/trade.js";
import { createSymbolState, transition } from "../../src/actors/symbol/index.js";
import { type SilverBar } from "../../src/contracts/silver-bar.js";
import { silverTableRow } from "../../src/lake/tables/silver-bars.js";
import { tempDir as removedOnDispose } from "../helpers/temp-dir.js";

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
  return removedOnDispose(prefix);
}

/** Trades every 10 s from `t0` whose returns follow an AR(1) process (`phi`, seeded), from `startPrice`: a series a model can learn. */
export function ar1Trades(symbol: string, count: number, t0: number, phi = 0.6, seed = 11, startPrice = 100): Trade[] {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  let price = startPrice;
  let r = 0;
  return Array.from({ length: count }, (_, k) => {
    r = phi * r + 0.002 * gauss();
    price *= 1 + r;
    const t = t0 + k * 10_000 + 5_000;
    const p = Number(price.toFixed(6));
    return { source: "sim", symbol, tradeId: k + 1, price: p, quantity: 1, priceText: String(p), quantityText: "1", tradeTime: t, eventTime: t, ingestTime: t, buyerIsMaker: false };
  });
}
