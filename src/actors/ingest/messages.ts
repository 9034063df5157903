/** What the IngestActor understands (admin commands arrive as these). */
export type IngestMessage =
  | { type: "status" }
  | { type: "subscribe"; symbols: string[] }
  | { type: "unsubscribe"; symbols: string[] }
  /** Take these symbols over: re-read their marks from the log, then subscribe. */
  | { type: "adopt"; symbols: string[] }
  | { type: "pause" }
  | { type: "resume" };
