/**
 * Where live processing of a symbol begins: the earliest of its first trade in the log and its
 * first bar in the lake (the log ages out; the lake keeps every bar). History before it can be
 * backfilled into bars without touching a window live processing made. Null: the symbol has no
 * live data, so its history simply goes through the log.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { decodeTradeLogEntries, partitionLogSubject } from "../ingest/partition-log.js";
import { partitionOf } from "../runtime/cluster/partition.js";
import { tradeLogSubject } from "../ingest/publisher.js";
import type { Lake } from "../lake/lake.js";
import { SILVER_BARS_APP_ID, SILVER_BARS_TABLE } from "../lake/tables/silver-bars.js";
import { STREAMS } from "../runtime/nats/spec.js";
import { firstSilverWindowStart, openTableView } from "../verify/table-slices.js";

export async function liveBoundary(o: { js: JetStreamClient; jsm: JetStreamManager; lake?: Lake | undefined; partitions: number; source: string; symbol: string }): Promise<number | null> {
  const times: number[] = [];
  // The symbol's own subject, and its partition's subject for per-partition messages (partition-log.ts).
  const subject = tradeLogSubject(o.source, o.symbol, o.partitions);
  const subjects = [subject, partitionLogSubject(partitionOf(o.symbol, o.partitions))];
  for (const s of subjects) {
    if ((await o.jsm.streams.getMessage(STREAMS.trades, { last_by_subj: s })) === null) continue;
    // One filter subject each (nats-server 2.9 has no multi-subject consumers).
    const consumer = await o.js.consumers.get(STREAMS.trades, { filter_subjects: s });
    try {
      // The first entries, until one holds this source's trades of the symbol (marks, other sources
      // and, on the partition's subject, other symbols are skipped): up to 100 messages, 1,000 there.
      const limit = s === subject ? 100 : 1000;
      for (let i = 0; i < limit; i++) {
        const m = await consumer.next({ expires: 2_000 });
        if (m === null) break;
        const trades = decodeTradeLogEntries(m.data).flatMap((e) => e.trades.filter((t) => t.source === o.source && t.symbol === o.symbol));
        if (trades.length > 0) {
          times.push(Math.min(...trades.map((t) => t.tradeTime)));
          break;
        }
      }
    } finally {
      await consumer.delete().catch(() => {});
    }
  }
  if (o.lake) {
    const view = await openTableView(o.lake, SILVER_BARS_TABLE, SILVER_BARS_APP_ID);
    const first = view && (await firstSilverWindowStart(view, o.symbol));
    if (first !== null && first !== undefined) times.push(first);
  }
  return times.length === 0 ? null : Math.min(...times);
}
