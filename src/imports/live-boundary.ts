/**
 * Where live processing of a symbol begins: the earliest of its first trade in the log and its
 * first bar in the lake (the log ages out; the lake keeps every bar). History before it can be
 * backfilled into bars without touching a window live processing made. Null: the symbol has no
 * live data, so its history simply goes through the log.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { decodeTradeLogEntry } from "../ingest/batch-codec.js";
import { tradeLogSubject } from "../ingest/publisher.js";
import type { Lake } from "../lake/lake.js";
import { SILVER_BARS_APP_ID, SILVER_BARS_TABLE } from "../lake/tables/silver-bars.js";
import { STREAMS } from "../runtime/nats/spec.js";
import { firstSilverWindowStart, openTableView } from "../verify/table-slices.js";

export async function liveBoundary(o: { js: JetStreamClient; jsm: JetStreamManager; lake?: Lake | undefined; partitions: number; source: string; symbol: string }): Promise<number | null> {
  const times: number[] = [];
  const subject = tradeLogSubject(o.source, o.symbol, o.partitions);
  if ((await o.jsm.streams.getMessage(STREAMS.trades, { last_by_subj: subject })) !== null) {
    const consumer = await o.js.consumers.get(STREAMS.trades, { filter_subjects: subject });
    try {
      // The subject's first entries, until one holds this source's trades (marks and other sources are skipped).
      for (let i = 0; i < 100; i++) {
        const m = await consumer.next({ expires: 2_000 });
        if (m === null) break;
        const trades = decodeTradeLogEntry(m.data).trades.filter((t) => t.source === o.source && t.symbol === o.symbol);
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
