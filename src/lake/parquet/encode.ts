import { ByteWriter, parquetWrite } from "hyparquet-writer";
import type { ColumnSpec, ColumnType } from "../delta/schema.js";

/** The writer bundles its own hyparquet; take its schema type from its signature. */
type SchemaElement = NonNullable<Parameters<typeof parquetWrite>[0]["schema"]>[number];

/** Column-oriented input: one array per data column, all of `numRows` length. */
export interface ColumnarBatch {
  numRows: number;
  columns: Map<string, ArrayLike<unknown>>;
}

const DAY_MS = 86_400_000;

function element(c: ColumnSpec): SchemaElement {
  const repetition_type = c.nullable ? "OPTIONAL" : "REQUIRED";
  const base = { name: c.name, repetition_type } as const;
  switch (c.type) {
    case "string":
      return { ...base, type: "BYTE_ARRAY", converted_type: "UTF8", logical_type: { type: "STRING" } };
    case "binary":
      return { ...base, type: "BYTE_ARRAY" };
    case "long":
      return { ...base, type: "INT64" };
    case "integer":
      return { ...base, type: "INT32" };
    case "short":
      return { ...base, type: "INT32", converted_type: "INT_16", logical_type: { type: "INTEGER", bitWidth: 16, isSigned: true } };
    case "byte":
      return { ...base, type: "INT32", converted_type: "INT_8", logical_type: { type: "INTEGER", bitWidth: 8, isSigned: true } };
    case "double":
      return { ...base, type: "DOUBLE" };
    case "float":
      return { ...base, type: "FLOAT" };
    case "boolean":
      return { ...base, type: "BOOLEAN" };
    case "timestamp":
      // Delta's timestamp: UTC-adjusted microseconds.
      return {
        ...base,
        type: "INT64",
        converted_type: "TIMESTAMP_MICROS",
        logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
      };
    case "date":
      return { ...base, type: "INT32", converted_type: "DATE", logical_type: { type: "DATE" } };
  }
}

/** Our in-memory values (numbers for long and ms timestamps, "YYYY-MM-DD" dates) → what the writer takes. */
function physical(type: ColumnType, nullable: boolean, values: ArrayLike<unknown>, n: number): ArrayLike<unknown> {
  switch (type) {
    case "long":
    case "timestamp": {
      const scale = type === "timestamp" ? 1000n : 1n;
      if (!nullable && type === "long") {
        if (values instanceof BigInt64Array) return values;
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) out[i] = BigInt(values[i] as number);
        return out;
      }
      const out = new Array<bigint | null>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = v === null || v === undefined ? null : typeof v === "bigint" ? v * scale : BigInt(Math.round(v as number)) * scale;
      }
      return out;
    }
    case "date": {
      const out = new Array<number | null>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = v === null || v === undefined ? null : Math.floor(Date.parse(`${String(v)}T00:00:00Z`) / DAY_MS);
      }
      return out;
    }
    case "double":
    case "float":
      return nullable ? Array.from(values) : values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number>);
    default:
      return Array.from(values);
  }
}

/** Writes one snappy Parquet file (single row group) for a flat schema. */
export function encodeParquet(columns: ColumnSpec[], batch: ColumnarBatch, createdBy = "tickhouse-lake"): Uint8Array {
  const schema: SchemaElement[] = [{ name: "root", num_children: columns.length }, ...columns.map(element)];
  const columnData = columns.map((c) => {
    const values = batch.columns.get(c.name);
    if (!values) throw new Error(`parquet encode: no data for column ${c.name}`);
    // hyparquet-writer's types want DecodedArray; our conversions produce exactly those shapes.
    return { name: c.name, data: physical(c.type, c.nullable, values, batch.numRows) as never };
  });
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    columnData,
    schema,
    codec: "SNAPPY",
    rowGroupSize: Math.max(1, batch.numRows),
    createdBy,
  });
  return new Uint8Array(writer.getBuffer());
}
