/**
 * The exhaustiveness check at the end of a `switch` over a union: a case left unhandled does not
 * compile (`value` is not `never`), and a value from outside the types (bad JSON cast to the
 * union) throws, naming what it was.
 */
export function assertNever(value: never, what = "value"): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
