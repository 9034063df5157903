import { LakeProtocolError } from "../errors.js";

/** The primitive Delta types our tables use (a flat schema: no structs, arrays or maps in data). */
export type ColumnType = "string" | "long" | "integer" | "short" | "byte" | "double" | "float" | "boolean" | "timestamp" | "date" | "binary";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

export interface TableSchema {
  columns: ColumnSpec[];
  partitionColumns: string[];
}

const TYPES: readonly ColumnType[] = ["string", "long", "integer", "short", "byte", "double", "float", "boolean", "timestamp", "date", "binary"];

/** Delta's `schemaString`: a Spark StructType in JSON. */
export function toSchemaString(columns: ColumnSpec[]): string {
  return JSON.stringify({
    type: "struct",
    fields: columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable, metadata: {} })),
  });
}

export function parseSchemaString(schemaString: string): ColumnSpec[] {
  let parsed: { type?: string; fields?: { name: string; type: unknown; nullable?: boolean }[] };
  try {
    parsed = JSON.parse(schemaString) as typeof parsed;
  } catch (err) {
    throw new LakeProtocolError("schemaString is not JSON", { cause: err });
  }
  if (parsed.type !== "struct" || !Array.isArray(parsed.fields)) throw new LakeProtocolError("schemaString is not a struct");
  return parsed.fields.map((f) => {
    if (typeof f.type !== "string" || !(TYPES as readonly string[]).includes(f.type)) {
      throw new LakeProtocolError(`column ${f.name}: type ${JSON.stringify(f.type)} is not supported by this reader`);
    }
    return { name: f.name, type: f.type as ColumnType, nullable: f.nullable ?? true };
  });
}

/** Partition values are strings in the log; this turns one back into the column's value. */
export function parsePartitionValue(type: ColumnType, text: string | null | undefined): unknown {
  if (text === null || text === undefined || text === "") return null;
  switch (type) {
    case "string":
    case "date":
      return text;
    case "long":
    case "integer":
    case "short":
    case "byte":
    case "double":
    case "float":
      return Number(text);
    case "boolean":
      return text === "true";
    case "timestamp":
      return Date.parse(text.includes("T") || text.endsWith("Z") ? text : `${text.replace(" ", "T")}Z`);
    case "binary":
      return text;
  }
}
