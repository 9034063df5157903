import type { ColumnSpec } from "../delta/schema.js";
import type { ColumnarBatch } from "../parquet/encode.js";
import type { TableDefinition } from "../table/table.js";
import type { RecordMapping } from "../writer/lake-writer.js";
import { utcDate } from "./bronze-trades.js";
import { SILVER_BAR_COLUMNS, silverRowFromBar, type SilverBar, type SilverBarColumn, type SilverBarRow } from "../../contracts/silver-bar.js";

export const SILVER_BARS_TABLE = "silver_bars";
/** Delta `txn.appId` of the silver writer: its txn version is the last SILVER sequence the table holds. */
export const SILVER_BARS_APP_ID = "silver-bars:SILVER:lake-silver";

/**
 * A silver row as the lake stores it: the SilverBar row (src/contracts/silver-bar.ts) and the
 * SILVER sequence it came from. The lake's volatility column is nullable (the contract's column
 * entry says so), so a row read back may hold null there.
 */
export type SilverTableRow = Omit<SilverBarRow, "volatility"> & { volatility: number | null; logSeq: number };

/** A SilverBar from SILVER at log sequence `logSeq` → its lake row. */
export function silverTableRow(bar: SilverBar, logSeq: number): SilverTableRow {
  return { ...silverRowFromBar(bar), logSeq };
}

type Field = [column: string, field: keyof SilverTableRow | null, type: ColumnSpec["type"], nullable: boolean];
const contractField = (c: SilverBarColumn): Field => [c.lake.name, c.field, c.lake.type, c.lake.nullable];

/** Column name → field, in table order: the contract's columns with the date partition after symbol and the log sequence last. */
const FIELDS: Field[] = [
  contractField(SILVER_BAR_COLUMNS[0]!),
  ["date", null, "string", false],
  ...SILVER_BAR_COLUMNS.slice(1).map(contractField),
  ["log_seq", "logSeq", "long", false],
];

/** Windowed bars with the 7 features and the live prediction, partitioned by symbol and window date. */
export const silverBarsDefinition: TableDefinition = {
  name: SILVER_BARS_TABLE,
  description: "Closed windows per symbol with features and prediction (silver layer)",
  columns: FIELDS.map(([name, , type, nullable]) => ({ name, type, nullable })),
  partitionColumns: ["symbol", "date"],
};

const DATA_FIELDS = FIELDS.filter(([name]) => name !== "symbol" && name !== "date");

export const silverBarsMapping: RecordMapping<SilverTableRow> = {
  schema: silverBarsDefinition,
  partitionOf: (b) => ({ symbol: b.symbol, date: utcDate(b.windowStart) }),
  toColumns(bars): ColumnarBatch {
    const columns = new Map<string, ArrayLike<unknown>>();
    for (const [name, field] of DATA_FIELDS) columns.set(name, bars.map((b) => b[field!]));
    return { numRows: bars.length, columns };
  },
};

export function silverBarFromRow(r: Record<string, unknown>): SilverTableRow {
  const out: Record<string, unknown> = {};
  for (const [name, field] of FIELDS) if (field) out[field] = r[name] ?? null;
  return out as unknown as SilverTableRow;
}
