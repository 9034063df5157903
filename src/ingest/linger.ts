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
 * How long an open batch may wait: `lingerMs` (a few ms), stretched so that one message per
 * active partition lane per linger stays within the publish budget. The budget follows the event
 * loop's load (`LINGER_LOAD`). At the default 32 partitions this is `lingerMs` (6.4 ms when
 * saturated): a lane's single publish in flight already gathers what comes meanwhile into its next
 * message. Before per-partition messages it counted symbols (20 to 200 ms at 1,000 symbols), which
 * held trades back for up to 200 ms whenever the loop got busy. Pure.
 */
export function lingerFor(activeLanes: number, load: number, o: LingerOptions): number {
  const budget = budgetForLoad(load, { idle: o.idlePublishesPerSecond, busy: o.maxPublishesPerSecond, ...LINGER_LOAD });
  return Math.max(o.lingerMs, (1000 * activeLanes) / budget);
}
