import { performance } from "node:perf_hooks";

/**
 * How busy this process's event loop is: its utilisation (0 idle .. 1 never idle) over the last
 * completed period, from `performance.eventLoopUtilization`. Cheap to call often: it samples at
 * most once per `periodMs` and returns the last value in between.
 */
export function eventLoopLoad(periodMs = 500): () => number {
  let mark = performance.eventLoopUtilization();
  let markAt = performance.now();
  let value = 0;
  return () => {
    const now = performance.now();
    if (now - markAt >= periodMs) {
      const next = performance.eventLoopUtilization();
      value = performance.eventLoopUtilization(next, mark).utilization;
      mark = next;
      markAt = now;
    }
    return value;
  };
}

/**
 * A budget that follows load: `idle` up to `lowLoad`, `busy` from `highLoad` on, straight in
 * between. Pure.
 */
export function budgetForLoad(load: number, o: { idle: number; busy: number; lowLoad: number; highLoad: number }): number {
  const t = Math.min(1, Math.max(0, (load - o.lowLoad) / (o.highLoad - o.lowLoad)));
  return o.idle + (o.busy - o.idle) * t;
}
