/**
 * Time sanity for custom records (issue 12, finding 6). Any time from 1970 to the year 275760 used
 * to be accepted, and one far-future trade moved its symbol's watermark so that every later trade
 * was late. A record's event time must lie between a floor and its receive time plus a skew.
 * Pure; the bounds come from the node's config (CUSTOM_MAX_FUTURE_SKEW, CUSTOM_MIN_EVENT_TIME).
 */
import type { TimeBounds } from "../config/time-bounds.js";

/**
 * Why `eventTime` is out of bounds, or undefined when it is fine. `receivedAt` is when the platform
 * received the record (the gateway's receive time, else the log's timestamp): a replay decides the
 * same way as the first routing, whatever the router's clock says.
 */
export function timeOutOfBounds(eventTime: number, receivedAt: number | undefined, bounds: TimeBounds): string | undefined {
  if (eventTime < bounds.minTimeMs) {
    return `timestamp ${iso(eventTime)} is before ${iso(bounds.minTimeMs)} (CUSTOM_MIN_EVENT_TIME)`;
  }
  if (receivedAt !== undefined && eventTime > receivedAt + bounds.maxFutureMs) {
    return `timestamp ${iso(eventTime)} is more than ${bounds.maxFutureMs / 1000} s after the receive time ${iso(receivedAt)} (CUSTOM_MAX_FUTURE_SKEW)`;
  }
  return undefined;
}

/**
 * The receive time a NATS record's bounds are measured from: the gateway's `Ingest-Time` header,
 * but never later than when the server stored the message. Whoever may publish on `ingest.>` can
 * write that header, and one set a year ahead let a trade timed a year ahead through. The gateway
 * stamps its receive time before it publishes, so the clamp costs it nothing (clock skew between
 * its machine and the server's only shortens the allowance). A header that is no number is ignored.
 */
export function receiveTime(header: string | undefined, storedAt: number): number {
  const claimed = header ? Number(header) : Number.NaN;
  // Trades keep times as whole, non-negative ms (the Trade contract): a claimed 1.5 or -5 is not one.
  return Number.isFinite(claimed) && claimed >= 0 ? Math.min(Math.floor(claimed), storedAt) : storedAt;
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
