/**
 * A synthetic market: per symbol, a log-price random walk whose volatility switches between
 * regimes (calm / normal / turbulent), trades at a chosen total rate (or as fast as possible),
 * consecutive trade ids per symbol, prices on a tick grid and quantities on a lot grid, written
 * as Binance writes them ("61837.63000000", 8 decimals).
 */
import { seededRandom } from "../runtime/random.js";
import type { MarketSource, SimEvent } from "./source.js";

export interface SyntheticOptions {
  /** Symbol names, or a count (well-known names first, then SYN<n>USDT). */
  symbols: readonly string[] | number;
  /** Total trades per second over all symbols, or "max". */
  tradesPerSecond: number | "max";
  /** Stop after this many trades (default: never). */
  totalTrades?: number;
  seed?: number;
  /** First trade id of every symbol. Default 1_000_000. */
  startId?: number;
}

const WELL_KNOWN: Array<[string, number]> = [
  ["BTCUSDT", 61_000], ["ETHUSDT", 2_600], ["BNBUSDT", 520], ["SOLUSDT", 150], ["XRPUSDT", 0.57],
  ["DOGEUSDT", 0.105], ["ADAUSDT", 0.35], ["TRXUSDT", 0.13], ["AVAXUSDT", 22], ["LINKUSDT", 10.5],
];

const REGIMES = [0.00002, 0.0001, 0.0006]; // per-trade log-return std-dev
const REGIME_SWITCH = 1 / 4000;

interface SymbolState {
  symbol: string;
  stream: string;
  logPrice: number;
  priceDecimals: number;
  qtyDecimals: number;
  nextId: number;
  regime: number;
}

/** A Binance decimal string: `value` rounded to `decimals`, padded to 8 decimals. */
export function binanceDecimal(value: number, decimals: number): string {
  const fixed = value.toFixed(decimals);
  return decimals >= 8 ? fixed : fixed + "0".repeat(8 - decimals);
}

export class SyntheticSource implements MarketSource {
  readonly streams: ReadonlySet<string>;
  readonly symbols: readonly string[];
  #states: SymbolState[];
  #rand: () => number;
  #rate: number | "max";
  #total: number;
  #emitted = 0;
  #start = 0;

  constructor(options: SyntheticOptions) {
    this.#rand = seededRandom(options.seed ?? 42);
    this.#rate = options.tradesPerSecond;
    if (this.#rate !== "max" && !(this.#rate > 0)) throw new RangeError(`tradesPerSecond must be > 0 or "max"`);
    this.#total = options.totalTrades ?? Infinity;
    const names = typeof options.symbols === "number" ? defaultSymbols(options.symbols) : [...options.symbols];
    if (names.length === 0) throw new RangeError("synthetic market needs at least one symbol");
    const startId = options.startId ?? 1_000_000;
    this.#states = names.map((symbol) => {
      const known = WELL_KNOWN.find(([s]) => s === symbol);
      const price = known ? known[1] : Math.exp(Math.log(0.001) + this.#rand() * Math.log(1e6));
      const priceDecimals = price >= 1000 ? 2 : price >= 10 ? 3 : price >= 1 ? 4 : price >= 0.01 ? 6 : 8;
      return { symbol, stream: `${symbol.toLowerCase()}@trade`, logPrice: Math.log(price), priceDecimals, qtyDecimals: Math.max(0, Math.min(8, 8 - priceDecimals)), nextId: startId, regime: 1 };
    });
    this.symbols = names;
    this.streams = new Set(this.#states.map((s) => s.stream));
  }

  get emitted(): number {
    return this.#emitted;
  }

  start(now: number): void {
    this.#start = now;
  }

  next(now: number, max: number): { events: SimEvent[]; waitMs: number } | "end" {
    if (this.#emitted >= this.#total) return "end";
    let due = max;
    if (this.#rate !== "max") due = Math.min(max, Math.floor(((now - this.#start) * this.#rate) / 1000) - this.#emitted);
    due = Math.min(due, this.#total - this.#emitted);
    const events: SimEvent[] = [];
    for (let k = 0; k < due; k++) events.push(this.#trade(now));
    const waitMs = this.#rate === "max" ? 0 : Math.max(1, Math.ceil(1000 / this.#rate));
    return { events, waitMs: events.length > 0 ? 0 : waitMs };
  }

  #gauss(): number {
    const u = 1 - this.#rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.#rand());
  }

  #trade(now: number): SimEvent {
    const s = this.#states[Math.floor(this.#rand() * this.#states.length)]!;
    if (this.#rand() < REGIME_SWITCH) s.regime = Math.floor(this.#rand() * REGIMES.length);
    s.logPrice += REGIMES[s.regime]! * this.#gauss();
    const tick = 10 ** -s.priceDecimals;
    const price = Math.max(tick, Math.round(Math.exp(s.logPrice) / tick) * tick);
    const lot = 10 ** -s.qtyDecimals;
    const notional = Math.exp(Math.log(200) + 1.5 * this.#gauss()); // ~200 USDT median, heavy tail
    const qty = Math.max(lot, Math.round(notional / price / lot) * lot);
    this.#emitted++;
    const id = s.nextId++;
    const T = Math.floor(now);
    const E = T + Math.floor(this.#rand() * 3);
    const data = `{"e":"trade","E":${E},"s":"${s.symbol}","t":${id},"p":"${binanceDecimal(price, s.priceDecimals)}","q":"${binanceDecimal(qty, s.qtyDecimals)}","T":${T},"m":${this.#rand() < 0.5},"M":true}`;
    return { stream: s.stream, data };
  }
}

export function defaultSymbols(count: number): string[] {
  const out = WELL_KNOWN.slice(0, count).map(([s]) => s);
  for (let i = out.length; i < count; i++) out.push(`SYN${String(i).padStart(4, "0")}USDT`);
  return out;
}
