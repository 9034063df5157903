/**
 * Data tests, declared in a model's header as `-- test: <kind> <arguments> [severity=warn]`:
 *   not_null a, b, c               one test per column: no NULLs
 *   unique a, b                    the column combination is unique
 *   accepted_range col min=0 max=1 every non-null value within bounds (either bound optional)
 *   expression <sql condition>     every row satisfies the condition (NULL counts as satisfied, like dbt)
 *   freshness col max_age=2h       newest value of `col` (epoch ms) is at most max_age old; empty fails
 */
import { parseDuration } from "../../config/parse.js";
import { assertNever } from "../../runtime/assert-never.js";

export type Severity = "error" | "warn";

export type DataTestSpec =
  | { kind: "not_null"; column: string; severity: Severity }
  | { kind: "unique"; columns: string[]; severity: Severity }
  | { kind: "accepted_range"; column: string; min: number | undefined; max: number | undefined; severity: Severity }
  | { kind: "expression"; condition: string; severity: Severity }
  | { kind: "freshness"; column: string; maxAgeMs: number; severity: Severity };

const IDENT = /^[a-z_][a-z0-9_]*$/;

function ident(text: string, what: string): string {
  if (!IDENT.test(text)) throw new Error(`test ${what}: "${text}" is not a column name`);
  return text;
}

/** Splits `key=value` options off the end of the arguments. */
function options(words: string[]): { rest: string[]; opts: Map<string, string> } {
  const opts = new Map<string, string>();
  const rest: string[] = [];
  for (const w of words) {
    const eq = /^([a-z_]+)=(\S+)$/.exec(w);
    if (eq) opts.set(eq[1]!, eq[2]!);
    else rest.push(w);
  }
  return { rest, opts };
}

function severityOf(opts: Map<string, string>): Severity {
  const s = opts.get("severity") ?? "error";
  if (s !== "error" && s !== "warn") throw new Error(`severity must be error or warn (got "${s}")`);
  opts.delete("severity");
  return s;
}

function finite(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new Error(`${what}: "${text}" is not a number`);
  return n;
}

function noOthers(kind: string, opts: Map<string, string>): void {
  if (opts.size > 0) throw new Error(`test ${kind}: unknown option ${[...opts.keys()].join(", ")}`);
}

/** `not_null a, b` yields one spec per column, hence the array. */
export function parseDataTests(text: string): DataTestSpec[] {
  const trimmed = text.trim();
  const space = trimmed.indexOf(" ");
  const kind = space < 0 ? trimmed : trimmed.slice(0, space);
  const args = space < 0 ? "" : trimmed.slice(space + 1).trim();
  if (kind === "expression") {
    const sev = /\s+severity=(error|warn)\s*$/.exec(args);
    const condition = sev ? args.slice(0, sev.index) : args;
    if (condition === "") throw new Error("test expression: needs a condition");
    return [{ kind, condition, severity: (sev?.[1] as Severity | undefined) ?? "error" }];
  }
  const { rest, opts } = options(args.split(/\s+/).filter((w) => w !== ""));
  const severity = severityOf(opts);
  const columns = rest.join(" ").split(",").map((c) => c.trim()).filter((c) => c !== "");
  switch (kind) {
    case "not_null":
      noOthers(kind, opts);
      if (columns.length === 0) throw new Error("test not_null: needs columns");
      return columns.map((c) => ({ kind, column: ident(c, kind), severity }));
    case "unique":
      noOthers(kind, opts);
      if (columns.length === 0) throw new Error("test unique: needs columns");
      return [{ kind, columns: columns.map((c) => ident(c, kind)), severity }];
    case "accepted_range": {
      if (columns.length !== 1) throw new Error("test accepted_range: needs exactly one column");
      const min = finite(opts.get("min"), "accepted_range min");
      const max = finite(opts.get("max"), "accepted_range max");
      opts.delete("min");
      opts.delete("max");
      noOthers(kind, opts);
      if (min === undefined && max === undefined) throw new Error("test accepted_range: needs min= or max=");
      return [{ kind, column: ident(columns[0]!, kind), min, max, severity }];
    }
    case "freshness": {
      if (columns.length !== 1) throw new Error("test freshness: needs exactly one column (epoch ms)");
      const age = opts.get("max_age");
      if (age === undefined) throw new Error("test freshness: needs max_age= (e.g. 2h)");
      opts.delete("max_age");
      noOthers(kind, opts);
      return [{ kind, column: ident(columns[0]!, kind), maxAgeMs: parseDuration("freshness max_age", age), severity }];
    }
    default:
      throw new Error(`unknown test kind "${kind}" (known: not_null, unique, accepted_range, expression, freshness)`);
  }
}

export function testName(spec: DataTestSpec): string {
  switch (spec.kind) {
    case "not_null":
      return `not_null(${spec.column})`;
    case "unique":
      return `unique(${spec.columns.join(",")})`;
    case "accepted_range":
      return `accepted_range(${spec.column})`;
    case "expression":
      return `expression(${spec.condition})`;
    case "freshness":
      return `freshness(${spec.column})`;
    default:
      return assertNever(spec, "test");
  }
}
