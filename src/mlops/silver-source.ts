/**
 * Where training bars come from. The lake's silver_bars table is the real source; an in-memory
 * source serves tests and replays. Only the bar fields that training needs are required, so a
 * SymbolActor `SilverBar` and a lake row both qualify. Stored features are never read: the
 * dataset builder recomputes them from close and volatility.
 */
import type { SilverBar } from "../contracts/silver-bar.js";
import { parseStats } from "../lake/delta/actions.js";
import { Lake, LakeTableNotFound, SILVER_BARS_TABLE, silverBarFromRow } from "../lake/index.js";

/**
 * The part of a SilverBar training reads; `prediction` and `modelVersion` (what served the bar)
 * are what the champion's live review reads, absent where a source does not have them.
 */
export type TrainingBar = Pick<SilverBar, "symbol" | "windowStart" | "windowEnd" | "close" | "volatility"> & Partial<Pick<SilverBar, "prediction" | "modelVersion">>;

export interface SilverSource {
  /** The symbol's bars, oldest first, one per window end. */
  bars(symbol: string): Promise<readonly TrainingBar[]>;
  /** Symbols with at least one bar. */
  symbols(): Promise<string[]>;
  /**
   * Every symbol's bar count from one listing (the watcher plans a round for all symbols with
   * it). An upper bound: replayed windows may be counted twice, `Infinity` where unknown; the
   * trainer's own count decides.
   */
  survey(): Promise<Map<string, number>>;
}

/** Sorts by window end and keeps the last bar of a repeated window (replays may repeat one). */
export function chronological<T extends TrainingBar>(bars: readonly T[]): T[] {
  const byEnd = new Map<number, T>();
  for (const b of bars) byEnd.set(b.windowEnd, b);
  return [...byEnd.values()].sort((a, b) => a.windowEnd - b.windowEnd);
}

export class InMemorySilverSource implements SilverSource {
  readonly #bars = new Map<string, TrainingBar[]>();

  add(bars: readonly TrainingBar[]): void {
    for (const b of bars) {
      const list = this.#bars.get(b.symbol) ?? [];
      list.push(b);
      this.#bars.set(b.symbol, list);
    }
  }

  async bars(symbol: string): Promise<readonly TrainingBar[]> {
    return chronological(this.#bars.get(symbol) ?? []);
  }

  async symbols(): Promise<string[]> {
    return [...this.#bars.keys()].sort();
  }

  async survey(): Promise<Map<string, number>> {
    return new Map([...this.#bars].map(([symbol, bars]) => [symbol, bars.length]));
  }
}

const COLUMNS = ["symbol", "window_start", "window_end", "close", "volatility", "prediction", "prediction_model_version"];

/** Reads silver bars from the lake (files pruned by the symbol partition). A missing table is "no data yet". */
export class LakeSilverSource implements SilverSource {
  constructor(readonly lake: Lake) {}

  async bars(symbol: string): Promise<readonly TrainingBar[]> {
    const rows = await this.#read({ filter: [{ column: "symbol", op: "=", value: symbol }], columns: COLUMNS });
    const bars: TrainingBar[] = [];
    for (const r of rows) {
      const row = silverBarFromRow(r);
      // The lake column is nullable; a bar always has a volatility, so a null means a broken row.
      if (row.volatility === null) continue;
      const served = row.prediction !== null && row.predictionModelVersion !== null ? { prediction: row.prediction, modelVersion: row.predictionModelVersion } : {};
      bars.push({ symbol: row.symbol, windowStart: row.windowStart, windowEnd: row.windowEnd, close: row.close, volatility: row.volatility, ...served });
    }
    return chronological(bars);
  }

  async symbols(): Promise<string[]> {
    return [...(await this.survey()).keys()].sort();
  }

  /** One snapshot of the table: the files' `numRecords` stats summed per symbol partition. */
  async survey(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    try {
      const table = this.lake.table(SILVER_BARS_TABLE);
      for (const f of table.files(await table.snapshot())) {
        const symbol = f.partitionValues.symbol;
        if (typeof symbol !== "string") continue;
        const n = parseStats(f)?.numRecords ?? -1;
        counts.set(symbol, (counts.get(symbol) ?? 0) + (n >= 0 ? n : Infinity));
      }
    } catch (err) {
      if (!(err instanceof LakeTableNotFound)) throw err;
    }
    return counts;
  }

  async #read(options: Parameters<ReturnType<Lake["table"]>["read"]>[0]): Promise<Record<string, unknown>[]> {
    try {
      return await this.lake.table(SILVER_BARS_TABLE).read(options);
    } catch (err) {
      if (err instanceof LakeTableNotFound) return [];
      throw err;
    }
  }
}
