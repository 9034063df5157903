/**
 * The trades the simulator emitted (those a forced gap kept off the sockets included), per symbol,
 * for the REST endpoints. Bounded twice: at most `perSymbol` trades per symbol and `maxTrades` in
 * total (the oldest trade of all goes first), so 5,000 symbols cannot grow memory without limit.
 * A trade is kept as the frame string the source already made (plus its id for the binary
 * search): recording costs no parse and no new string on the feed's hot path.
 */

interface Column {
  ids: number[];
  frames: string[];
  /** Index of the oldest live entry; entries before it are evicted and compacted away in bulk. */
  head: number;
  /** Entries of this column in the global order whose trade was already evicted by the per-symbol bound. */
  stale: number;
}

export interface TradeHistoryOptions {
  /** Default 50,000. */
  perSymbol?: number;
  /** All symbols together. Default 1,000,000 (about 170 MB of frames). */
  maxTrades?: number;
}

const TRADE_SUFFIX = "@trade";

export class TradeHistory {
  readonly perSymbol: number;
  readonly maxTrades: number;
  /** null: a stream that is not `<symbol>@trade` (cached so the check runs once per stream). */
  #byStream = new Map<string, Column | null>();
  #bySymbol = new Map<string, Column>();
  /** One entry per recorded trade, oldest first: whose trade to evict when the total is full. */
  #order: Column[] = [];
  #orderHead = 0;

  constructor(options: TradeHistoryOptions = {}) {
    this.perSymbol = options.perSymbol ?? 50_000;
    this.maxTrades = options.maxTrades ?? 1_000_000;
    for (const [name, v] of [["perSymbol", this.perSymbol], ["maxTrades", this.maxTrades]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`TradeHistory: ${name} must be an integer >= 0, got ${v}`);
    }
  }

  /** Keeps `frame` (a raw trade event of `stream`) if the stream is a trade stream and its id is above the last kept. */
  record(stream: string, frame: string): void {
    let col = this.#byStream.get(stream);
    if (col === undefined) col = this.#open(stream);
    if (col === null || this.perSymbol === 0 || this.maxTrades === 0) return;
    const id = tradeIdOf(frame);
    const n = col.ids.length;
    if (!(id >= 0) || (n > col.head && id <= col.ids[n - 1]!)) return;
    col.ids.push(id);
    col.frames.push(frame);
    if (n + 1 - col.head > this.perSymbol) {
      evictOldest(col);
      col.stale++;
    }
    this.#order.push(col);
    if (this.#order.length - this.#orderHead > this.maxTrades) {
      const oldest = this.#order[this.#orderHead]!;
      this.#order[this.#orderHead++] = undefined as unknown as Column;
      if (oldest.stale > 0) oldest.stale--;
      else evictOldest(oldest);
      if (this.#orderHead > 4096 && this.#orderHead * 2 > this.#order.length) {
        this.#order = this.#order.slice(this.#orderHead);
        this.#orderHead = 0;
      }
    }
  }

  /** Up to `limit` kept frames of `symbol` with id >= `fromId`, ascending. */
  from(symbol: string, fromId: number, limit: number): string[] {
    const col = this.#bySymbol.get(symbol);
    if (col === undefined) return [];
    let lo = col.head, hi = col.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (col.ids[mid]! < fromId) lo = mid + 1;
      else hi = mid;
    }
    return col.frames.slice(lo, lo + limit);
  }

  /** The last `limit` kept frames of `symbol`, ascending. */
  latest(symbol: string, limit: number): string[] {
    const col = this.#bySymbol.get(symbol);
    if (col === undefined) return [];
    return col.frames.slice(Math.max(col.head, col.frames.length - limit));
  }

  /** Kept trade ids of `symbol`: oldest, newest and count (null when none). */
  range(symbol: string): { firstId: number; lastId: number; count: number } | null {
    const col = this.#bySymbol.get(symbol);
    if (col === undefined || col.ids.length === col.head) return null;
    return { firstId: col.ids[col.head]!, lastId: col.ids[col.ids.length - 1]!, count: col.ids.length - col.head };
  }

  /** Trades kept over all symbols. */
  get size(): number {
    let n = 0;
    for (const col of this.#bySymbol.values()) n += col.ids.length - col.head;
    return n;
  }

  #open(stream: string): Column | null {
    if (!stream.endsWith(TRADE_SUFFIX) || stream.length === TRADE_SUFFIX.length) {
      this.#byStream.set(stream, null);
      return null;
    }
    const col: Column = { ids: [], frames: [], head: 0, stale: 0 };
    this.#byStream.set(stream, col);
    this.#bySymbol.set(stream.slice(0, -TRADE_SUFFIX.length).toUpperCase(), col);
    return col;
  }
}

function evictOldest(col: Column): void {
  col.frames[col.head] = "";
  col.head++;
  // Compact in bulk: amortised O(1) per trade, and the arrays never hold more than twice the live entries.
  if (col.head > 1024 && col.head * 2 > col.ids.length) {
    col.ids = col.ids.slice(col.head);
    col.frames = col.frames.slice(col.head);
    col.head = 0;
  }
}

/** The `"t":<digits>` of a trade frame without parsing the JSON, or NaN. */
export function tradeIdOf(frame: string): number {
  const at = frame.indexOf('"t":');
  if (at < 0) return NaN;
  let id = 0, i = at + 4;
  const start = i;
  for (; i < frame.length; i++) {
    const c = frame.charCodeAt(i);
    if (c < 48 || c > 57) break;
    id = id * 10 + (c - 48);
  }
  return i === start || !Number.isSafeInteger(id) ? NaN : id;
}
