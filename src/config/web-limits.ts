/** Bounds on what one caller can make the web server hold (WEB_MAX_BODY, WEB_MAX_BATCH, WEB_MAX_SUBSCRIPTIONS, WEB_MAX_REPLAY). */
export interface WebLimits {
  /** Largest tRPC request body and WebSocket message, in bytes (WEB_MAX_BODY). */
  maxBodyBytes: number;
  /** Calls in one batched HTTP request (WEB_MAX_BATCH); in one WebSocket message, the larger of this and maxSubscriptions. */
  maxBatch: number;
  /** Live subscriptions on one WebSocket connection (WEB_MAX_SUBSCRIPTIONS). */
  maxSubscriptions: number;
  /** Messages a resumed bars$ / candles$ replays at most before going live (WEB_MAX_REPLAY). */
  maxReplay: number;
}

export const DEFAULT_WEB_LIMITS: WebLimits = { maxBodyBytes: 1024 * 1024, maxBatch: 20, maxSubscriptions: 50, maxReplay: 10_000 };
