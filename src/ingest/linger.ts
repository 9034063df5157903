import { budgetForLoad } from "../runtime/loop-load.js";

/** Loads between which the publish budget falls from idle to busy (event-loop utilisation). */
export const LINGER_LOAD = { lowLoad: 0.75, highLoad: 0.95 } as const;

export interface LingerOptions {
  lingerMs: number;
  /** Publish budget while the event loop has room. */
  idlePublishesPerSecond: number;
  /** Publish budget when it is saturated. */
  maxPublishesPerSecond: number;
}

/**
 * How long an open batch may wait: `lingerMs` (a few ms) when few symbols trade, stretched so
 * that sealing every active symbol once stays within the publish budget — one publish per trade
 * per symbol would cap 1,000 busy symbols far below the trade rate. The budget follows the event
 * loop's load (`LINGER_LOAD`): at 1,000 active symbols 20 ms while the loop has room (latency),
 * 200 ms when it is saturated (big batches: the cost is per batch). Pure.
 */
export function lingerFor(activeSymbols: number, load: number, o: LingerOptions): number {
  const budget = budgetForLoad(load, { idle: o.idlePublishesPerSecond, busy: o.maxPublishesPerSecond, ...LINGER_LOAD });
  return Math.max(o.lingerMs, (1000 * activeSymbols) / budget);
}
