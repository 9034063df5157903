import type { Trade } from "../../market/trade.js";
import type { ColumnSpec } from "../delta/schema.js";
import type { ColumnarBatch } from "../parquet/encode.js";
import type { TableDefinition } from "../table/table.js";
import type { RecordMapping } from "../writer/lake-writer.js";

export const BRONZE_TRADES_TABLE = "bronze_trades";
/** Delta `txn.appId` of the bronze writer: its txn version is the last TRADES sequence the table holds. */
export const BRONZE_TRADES_APP_ID = "bronze-trades:TRADES:lake-bronze";

const columns: ColumnSpec[] = [
  { name: "source", type: "string", nullable: false },
  { name: "symbol", type: "string", nullable: false },
  { name: "date", type: "string", nullable: false },
  { name: "trade_id", type: "long", nullable: false },
  { name: "price", type: "double", nullable: false },
  { name: "quantity", type: "double", nullable: false },
  // Binance's exact decimal strings beside the doubles: no rounding is ever lost in bronze.
  { name: "price_text", type: "string", nullable: false },
  { name: "quantity_text", type: "string", nullable: false },
  { name: "trade_time", type: "timestamp", nullable: false },
  { name: "event_time", type: "timestamp", nullable: false },
  { name: "ingest_time", type: "timestamp", nullable: false },
  { name: "buyer_is_maker", type: "boolean", nullable: false },
];

/** Raw trades, partitioned by source, symbol and trade date (UTC). */
export const bronzeTradesDefinition: TableDefinition = {
  name: BRONZE_TRADES_TABLE,
  description: "Every normalised trade as received (bronze layer)",
  columns,
  partitionColumns: ["source", "symbol", "date"],
};

const DAY_MS = 86_400_000;
let cachedDay = NaN;
let cachedDate = "";

/** `YYYY-MM-DD` of a ms timestamp, in UTC. Called per row on the hot path: trades come in time order, so cache the last day. */
export function utcDate(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
  }
  return cachedDate;
}

export const bronzeTradesMapping: RecordMapping<Trade> = {
  schema: bronzeTradesDefinition,
  partitionOf: (t) => ({ source: t.source, symbol: t.symbol, date: utcDate(t.tradeTime) }),
  toColumns(trades): ColumnarBatch {
    const n = trades.length;
    const tradeId = new BigInt64Array(n);
    const price = new Float64Array(n);
    const quantity = new Float64Array(n);
    const priceText = new Array<string>(n);
    const quantityText = new Array<string>(n);
    const tradeTime = new Array<number>(n);
    const eventTime = new Array<number>(n);
    const ingestTime = new Array<number>(n);
    const maker = new Array<boolean>(n);
    for (let i = 0; i < n; i++) {
      const t = trades[i]!;
      tradeId[i] = BigInt(t.tradeId);
      price[i] = t.price;
      quantity[i] = t.quantity;
      priceText[i] = t.priceText;
      quantityText[i] = t.quantityText;
      tradeTime[i] = t.tradeTime;
      eventTime[i] = t.eventTime;
      ingestTime[i] = t.ingestTime;
      maker[i] = t.buyerIsMaker;
    }
    return {
      numRows: n,
      columns: new Map<string, ArrayLike<unknown>>([
        ["trade_id", tradeId],
        ["price", price],
        ["quantity", quantity],
        ["price_text", priceText],
        ["quantity_text", quantityText],
        ["trade_time", tradeTime],
        ["event_time", eventTime],
        ["ingest_time", ingestTime],
        ["buyer_is_maker", maker],
      ]),
    };
  },
};

/** A bronze row read back from the lake, as a Trade. */
export function tradeFromRow(r: Record<string, unknown>): Trade {
  return {
    source: String(r.source),
    symbol: String(r.symbol),
    tradeId: Number(r.trade_id),
    price: Number(r.price),
    quantity: Number(r.quantity),
    priceText: String(r.price_text),
    quantityText: String(r.quantity_text),
    tradeTime: Number(r.trade_time),
    eventTime: Number(r.event_time),
    ingestTime: Number(r.ingest_time),
    buyerIsMaker: Boolean(r.buyer_is_maker),
  };
}
