/**
 * Market data: symbols, chart history, and two subscriptions.
 * - `ticks`: latest-state. A (re)subscriber gets the current tick at once, then every new one;
 *   ticks missed while away are not replayed (a newer tick supersedes them). Ids are trade ids,
 *   and a resubscriber already holding the latest tick is not sent it again.
 * - `bars$` / `candles$`: resumable. Ids are SILVER / CANDLES stream sequences; after a
 *   reconnect the stream continues at lastEventId + 1, so nothing is lost or repeated, unless
 *   the client is more than WEB_MAX_REPLAY messages behind: then it starts that many before the end.
 */
import { tracked } from "@trpc/server";
import { z } from "zod";
import type { LiveTick } from "../../../actors/symbol/messages.js";
import { Channel } from "../feeds/channel.js";
import { followSubject } from "../feeds/follow.js";
import { BAR_SERIES, CANDLE_SERIES, type LogSeries } from "../feeds/series.js";
import { mapStreamErrors, publicProcedure, router } from "../trpc.js";
import { lastEventIdSchema, limitSchema, symbolSchema } from "./inputs.js";

function parseSeq(id: string | null | undefined): number | null {
  if (id === null || id === undefined) return null;
  const n = Number(id);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** A subscription to one series from `lastEventId` (a stream sequence) on, counted under `procedure`. */
function resumable<T, V>(procedure: string, series: LogSeries<T, V>) {
  return publicProcedure
    .input(z.object({ symbol: symbolSchema, lastEventId: lastEventIdSchema }))
    .subscription(async function* ({ ctx, input, signal }) {
      ctx.metrics.subscribed(procedure, 1);
      try {
        const follow = { stream: series.stream, subject: series.subject(input.symbol), afterSeq: parseSeq(input.lastEventId), maxReplay: ctx.limits.maxReplay, decode: series.decode, onMalformed: () => ctx.metrics.malformed.inc({ subject_kind: series.kind }) };
        for await (const m of mapStreamErrors(followSubject(ctx.nc, follow, signal))) yield tracked(String(m.seq), series.view(m));
      } finally {
        ctx.metrics.subscribed(procedure, -1);
      }
    });
}

export const marketRouter = router({
  symbols: publicProcedure.query(async ({ ctx }) => {
    const stored = await ctx.history.symbols();
    return [...new Set([...stored, ...ctx.ticks.symbols(), ...ctx.bars.symbols()])].sort();
  }),

  candles: publicProcedure
    .input(z.object({ symbol: symbolSchema, limit: limitSchema.default(300) }))
    .query(({ ctx, input }) => ctx.history.candles(input.symbol, input.limit)),

  bars: publicProcedure
    .input(z.object({ symbol: symbolSchema, limit: limitSchema.default(300) }))
    .query(({ ctx, input }) => ctx.history.bars(input.symbol, input.limit)),

  ticks: publicProcedure
    .input(z.object({ symbol: symbolSchema, lastEventId: lastEventIdSchema }))
    .subscription(async function* ({ ctx, input, signal }) {
      const channel = new Channel<LiveTick>(64, signal);
      const unlisten = ctx.ticks.listen(input.symbol, (t) => channel.push(t));
      ctx.metrics.subscribed("market.ticks", 1);
      try {
        const current = ctx.ticks.latest(input.symbol);
        if (current !== undefined && String(current.tradeId) !== input.lastEventId) channel.push(current);
        for await (const tick of channel) yield tracked(String(tick.tradeId), tick);
      } finally {
        unlisten();
        channel.close();
        ctx.metrics.subscribed("market.ticks", -1);
      }
    }),

  bars$: resumable("market.bars$", BAR_SERIES),

  /** Closed 1m candles (final values of the candle the ticks were building), resumable like bars$. */
  candles$: resumable("market.candles$", CANDLE_SERIES),
});
