/** What the IngestActor understands (admin commands arrive as these). */
export type IngestMessage =
  /** The client's and publisher's figures, with per-symbol entries for `symbols` only (none when not given). */
  | { type: "status"; symbols?: string[] }
  | { type: "subscribe"; symbols: string[] }
  | { type: "unsubscribe"; symbols: string[] }
  /** Take these symbols over: hold their trades (until "settle") and subscribe. */
  | { type: "adopt"; symbols: string[] }
  /** Answers `{ live: Promise<boolean> }`: whether their streams are in effect within `withinMs`. */
  | { type: "live"; symbols: string[]; withinMs: number }
  /** Let the held trades in after the log's marks; `previousFlushed`: the previous reader logged all it read. */
  | { type: "settle"; symbols: string[]; previousFlushed: boolean }
  /** Answers `{ logged: Promise<void> }`: resolves once everything read of these symbols is in the log. */
  | { type: "flush"; symbols: string[] }
  | { type: "pause" }
  | { type: "resume" };
