/**
 * A gold model is one SQL file: a header of `-- key: value` comment lines, then one SELECT.
 *
 *   -- materialized: incremental          (view | table | incremental; default view)
 *   -- unique_key: symbol, open_time      (required for incremental; also indexed on tables)
 *   -- depends_on: other_model            (optional; `{{ ref('x') }}` in the SQL is found anyway)
 *   -- description: free text
 *   -- test: not_null symbol, open_time
 *   -- test: unique symbol, open_time
 *   -- test: accepted_range volume min=0 max=1e12
 *   -- test: expression low <= high
 *   -- test: freshness open_time max_age=2h severity=warn
 *
 * In the SQL: `{{ ref('x') }}` names another model, `{{ this }}` the model's own table, and
 * `{% if is_incremental %} ... {% endif %}` is kept only on an incremental (non-first) run.
 */
import { basename } from "node:path";
import { parseDataTests, testName, type DataTestSpec } from "./data-test-spec.js";

export type Materialization = "view" | "table" | "incremental";

export interface ModelFile {
  name: string;
  path: string;
  materialized: Materialization;
  uniqueKey: string[];
  dependsOn: string[];
  description: string;
  tests: DataTestSpec[];
  /** The SQL after the header, still templated. */
  sql: string;
}

export class ModelDefinitionError extends Error {
  override readonly name = "ModelDefinitionError";
}

const NAME = /^[a-z_][a-z0-9_]*$/;
const REF = /\{\{\s*ref\(\s*'([a-z_][a-z0-9_]*)'\s*\)\s*\}\}/g;
const HEADER_LINE = /^--\s*([a-z_]+)\s*:\s*(.*)$/;

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

export function parseModelFile(path: string, text: string): ModelFile {
  const name = basename(path, ".sql");
  if (!NAME.test(name)) throw new ModelDefinitionError(`${path}: model file name must be a lower-case identifier`);
  const lines = text.split("\n");
  const model: ModelFile = { name, path, materialized: "view", uniqueKey: [], dependsOn: [], description: "", tests: [], sql: "" };
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "") continue;
    if (!line.startsWith("--")) break;
    const m = HEADER_LINE.exec(line);
    if (!m) continue; // a plain comment inside the header
    const [, key, value] = m as unknown as [string, string, string];
    switch (key) {
      case "materialized":
        if (value !== "view" && value !== "table" && value !== "incremental") throw new ModelDefinitionError(`${path}: materialized must be view, table or incremental (got "${value}")`);
        model.materialized = value;
        break;
      case "unique_key":
        model.uniqueKey = list(value);
        break;
      case "depends_on":
        model.dependsOn.push(...list(value));
        break;
      case "description":
        model.description = model.description ? `${model.description} ${value}` : value;
        break;
      case "test":
        try {
          model.tests.push(...parseDataTests(value));
        } catch (err) {
          throw new ModelDefinitionError(`${path}: ${(err as Error).message}`, { cause: err });
        }
        break;
      default:
        throw new ModelDefinitionError(`${path}: unknown header key "${key}" (known: materialized, unique_key, depends_on, description, test)`);
    }
  }
  model.sql = lines.slice(i).join("\n").trim().replace(/;\s*$/, "");
  if (model.sql === "") throw new ModelDefinitionError(`${path}: no SQL after the header`);
  if (model.materialized === "incremental" && model.uniqueKey.length === 0) throw new ModelDefinitionError(`${path}: an incremental model needs a unique_key`);
  for (const m of model.sql.matchAll(REF)) if (!model.dependsOn.includes(m[1]!)) model.dependsOn.push(m[1]!);
  const names = model.tests.map(testName);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new ModelDefinitionError(`${path}: test ${repeated} is declared twice`);
  for (const col of model.uniqueKey) if (!NAME.test(col)) throw new ModelDefinitionError(`${path}: unique_key column "${col}" is not an identifier`);
  return model;
}

const INCREMENTAL_BLOCK = /\{%\s*if\s+is_incremental(?:\(\))?\s*%\}([\s\S]*?)(?:\{%\s*else\s*%\}([\s\S]*?))?\{%\s*endif\s*%\}/g;
const THIS = /\{\{\s*this\s*\}\}/g;

/** The runnable SQL: refs and `this` resolved to plain names (the search_path picks the schema). */
export function renderModelSql(model: ModelFile, { incremental }: { incremental: boolean }): string {
  const sql = model.sql
    .replace(INCREMENTAL_BLOCK, (_all, thenPart: string, elsePart: string | undefined) => (incremental ? thenPart : (elsePart ?? "")))
    .replace(REF, (_all, ref: string) => ref)
    .replace(THIS, model.name);
  const leftover = /\{\{|\{%/.exec(sql);
  if (leftover) throw new ModelDefinitionError(`${model.path}: unknown template tag near "${sql.slice(leftover.index, leftover.index + 40)}"`);
  return sql;
}
