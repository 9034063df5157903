/**
 * The serving side of a verification: PostgreSQL's silver_bars, which the serving writer upserts
 * (key symbol, window_end) from SILVER and then acknowledges. Every SILVER message at or below its
 * durable consumer's ack floor is in the table, so that floor bounds what is compared.
 */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { Queryable } from "../db/database.js";
import type { SilverWindows } from "./reconcile.js";

export interface ServingTarget {
  db: Queryable;
  /** The serving writer's durable consumer on SILVER. Default "serving". */
  durable?: string;
}

/** The consumer's ack floor (stream sequence), or null when there is no such consumer. */
export async function servingAckFloor(jsm: JetStreamManager, stream: string, durable: string): Promise<number | null> {
  try {
    return (await jsm.consumers.info(stream, durable)).ack_floor.stream_seq;
  } catch (err) {
    if (/consumer not found|stream not found/i.test((err as Error).message)) return null;
    throw err;
  }
}

/** Serving window indexes (start / slide) of one symbol from `fromStart` (ms) on. */
export async function readServingWindows(db: Queryable, symbol: string, fromStart: number, slideMs: number, into: SilverWindows): Promise<void> {
  const { rows } = await db.query<{ window_start: string | number }>("SELECT window_start FROM silver_bars WHERE symbol = $1 AND window_start >= $2 ORDER BY window_start", [symbol, fromStart]);
  for (const r of rows) into.add(Math.floor(Number(r.window_start) / slideMs));
}
