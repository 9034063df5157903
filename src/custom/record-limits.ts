/**
 * Size and shape limits of one custom record, checked by the gateway (answer 413) and the router
 * (dead letter `record_too_large`) alike, before anything else touches the record. Without them a
 * record nested 200,000 levels deep (1 MiB of `{"a":`) parsed fine and then overflowed the stack
 * in JSON.stringify: a 500 at the gateway and, published on NATS, a router failing on the same
 * message forever, holding up every source's data. Pure.
 */

export interface RecordLimits {
  /** Longest string value (UTF-16 units). */
  maxStringLength: number;
  /** Object keys in the whole record (every level). A table holds at most 500 columns anyway. */
  maxFields: number;
  /** Nesting of objects and arrays (levels below 4 are stored as JSON text). */
  maxDepth: number;
  /** Longest field name. */
  maxKeyLength: number;
}

export const DEFAULT_RECORD_LIMITS: RecordLimits = { maxStringLength: 64 * 1024, maxFields: 1000, maxDepth: 32, maxKeyLength: 256 };

export interface LimitBreach {
  field: string;
  message: string;
}

/** The first limit `value` breaks, or undefined. Iterative: any depth is safe to check. */
export function recordLimitBreach(value: unknown, limits: RecordLimits = DEFAULT_RECORD_LIMITS): LimitBreach | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: "", depth: 0 }];
  let fields = 0;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { v, path, depth } = item;
    const field = path || "record";
    if (typeof v === "string") {
      if (v.length > limits.maxStringLength) return { field, message: `${field} is a string of ${v.length} characters; at most ${limits.maxStringLength}` };
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (depth >= limits.maxDepth) return { field, message: `${field} is nested deeper than ${limits.maxDepth} levels` };
    const isArray = Array.isArray(v);
    const keys = isArray ? [] : Object.keys(v);
    fields += keys.length;
    if (fields > limits.maxFields) return { field, message: `the record has more than ${limits.maxFields} fields` };
    for (const k of keys) {
      if (k.length > limits.maxKeyLength) return { field: `${k.slice(0, 40)}…`, message: `a field name of ${k.length} characters; at most ${limits.maxKeyLength}` };
    }
    const children = isArray ? (v as unknown[]).map((x, i): [string, unknown] => [String(i), x]) : keys.map((k): [string, unknown] => [k, (v as Record<string, unknown>)[k]]);
    for (const [k, x] of children) if (typeof x === "object" || typeof x === "string") stack.push({ v: x, path: path ? `${path}.${k}` : k, depth: depth + 1 });
  }
  return undefined;
}
