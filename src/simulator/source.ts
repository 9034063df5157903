/** What the simulator broadcasts: events of named streams, produced by a replay or a synthetic market. */
export interface SimEvent {
  stream: string;
  /** Raw event JSON as Binance sends it inside `data`. */
  data: string;
}

export interface MarketSource {
  /** Streams this source can produce (replay: those in the file; synthetic: `<symbol>@trade`). */
  readonly streams: ReadonlySet<string>;
  /**
   * Events due at `now` (at most `max`), or "end" when exhausted. `waitMs` says when to ask again
   * if nothing is due.
   */
  next(now: number, max: number): { events: SimEvent[]; waitMs: number } | "end";
  /** Called when the first subscriber arrives: the clock of the source starts here. */
  start(now: number): void;
}

/** "max" or a positive speed factor (1 = real time by trade time). */
export type Speed = number | "max";

export function parseSpeed(text: string): Speed {
  if (text === "max") return "max";
  const n = Number(text);
  if (!(n > 0)) throw new RangeError(`speed must be "max" or a number > 0, got "${text}"`);
  return n;
}
