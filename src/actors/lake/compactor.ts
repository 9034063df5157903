/**
 * Background compaction of the lake tables: every `everyMs`, while `active()` says this node runs
 * the writers (so two nodes never race on one table), each table is optimized and the result
 * reported.
 */
import type { Actor } from "../../runtime/actor/types.js";
import { optimize, type DeltaTable, type OptimizeResult } from "../../lake/index.js";

export interface CompactorOptions {
  everyMs: number;
  tables: readonly string[];
  table(name: string): DeltaTable;
  active(): boolean;
  onCompacted(table: string, result: OptimizeResult): void;
}

export function compactorActor(o: CompactorOptions): () => Actor<"compact"> {
  return () => ({
    preStart(c) {
      c.timers.startPeriodic("compact", "compact", o.everyMs);
    },
    async receive() {
      if (!o.active()) return;
      for (const name of o.tables) o.onCompacted(name, await optimize(o.table(name)));
    },
  });
}
