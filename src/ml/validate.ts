import { InvalidParams } from "./errors.js";

/** Throws InvalidParams naming `name` unless v is an integer in [min, max]. */
export function requireInt(name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new InvalidParams(`${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/** Throws InvalidParams naming `name` unless v is a number with min < v ≤ max (or min ≤ v with inclusiveMin). */
export function requireNumber(name: string, v: unknown, min: number, max: number, inclusiveMin = false): number {
  const aboveMin = typeof v === "number" && (inclusiveMin ? v >= min : v > min);
  if (typeof v !== "number" || !Number.isFinite(v) || !aboveMin || v > max) {
    throw new InvalidParams(`${name} must be a number in ${inclusiveMin ? "[" : "("}${min}, ${max}], got ${String(v)}`);
  }
  return v;
}
