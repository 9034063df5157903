/** What the IngestActor understands (admin commands arrive as these). */
export type IngestMessage =
  | { type: "status" }
  | { type: "subscribe"; symbols: string[] }
  | { type: "unsubscribe"; symbols: string[] }
  | { type: "pause" }
  | { type: "resume" };
