import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseModelFile, ModelDefinitionError, loadModels } from "../../src/db/index.js";
import { dependencyOrder, withDownstream } from "../../src/db/gold/graph.js";
import { renderModelSql } from "../../src/db/gold/model-file.js";
import { parseDataTests, testName } from "../../src/db/gold/data-test-spec.js";
import { dataTestSql } from "../../src/db/gold/data-tests.js";

const model = (name: string, header: string, sql = "SELECT 1 AS x") => parseModelFile(`/m/${name}.sql`, `${header}\n${sql}\n`);

describe("model files", () => {
  it("parses the header: materialization, key, description, tests, and refs found in the SQL", () => {
    const m = model(
      "hourly",
      ["-- materialized: incremental", "-- unique_key: symbol, open_time", "-- description: one", "-- description: two", "-- test: not_null a, b", "-- test: unique symbol, open_time", "-- test: freshness open_time max_age=2h severity=warn", "-- depends_on: extra"].join("\n"),
      "SELECT * FROM {{ ref('minutes') }} JOIN {{ref( 'extra' )}} USING (x)",
    );
    assert.equal(m.materialized, "incremental");
    assert.deepEqual(m.uniqueKey, ["symbol", "open_time"]);
    assert.equal(m.description, "one two");
    assert.deepEqual(m.dependsOn, ["extra", "minutes"]);
    assert.deepEqual(m.tests.map(testName), ["not_null(a)", "not_null(b)", "unique(symbol,open_time)", "freshness(open_time)"]);
    assert.deepEqual(m.tests.at(-1), { kind: "freshness", column: "open_time", maxAgeMs: 7_200_000, severity: "warn" });
  });

  it("renders refs, this and the incremental block", () => {
    const m = model("agg", "-- materialized: incremental\n-- unique_key: k", "SELECT * FROM {{ ref('src') }} {% if is_incremental %}WHERE k > (SELECT max(k) FROM {{ this }}){% else %}WHERE true{% endif %}");
    assert.equal(renderModelSql(m, { incremental: false }), "SELECT * FROM src WHERE true");
    assert.equal(renderModelSql(m, { incremental: true }), "SELECT * FROM src WHERE k > (SELECT max(k) FROM agg)");
    assert.throws(() => renderModelSql(model("bad", "", "SELECT {{ nope }}"), { incremental: false }), ModelDefinitionError);
  });

  it("rejects bad headers with the file named", () => {
    const cases: [string, RegExp][] = [
      ["-- materialized: snapshot", /materialized must be/],
      ["-- materialized: incremental", /needs a unique_key/],
      ["-- colour: blue", /unknown header key "colour"/],
      ["-- test: not_null", /needs columns/],
      ["-- test: accepted_range x", /needs min= or max=/],
      ["-- test: accepted_range x min=abc", /not a number/],
      ["-- test: freshness t", /max_age/],
      ["-- test: unique a; DROP TABLE b", /not a column name/],
      ["-- test: accepted_values a", /unknown test kind/],
      ["-- test: not_null a\n-- test: not_null b, a", /not_null\(a\) is declared twice/],
    ];
    for (const [header, re] of cases) assert.throws(() => model("m", header), (err: unknown) => err instanceof ModelDefinitionError && re.test(err.message) && err.message.includes("/m/m.sql"), header);
  });

  it("compiles data tests to SQL that counts offending rows", () => {
    const [range] = parseDataTests("accepted_range p min=0 max=1");
    assert.equal(dataTestSql("t", range!), "SELECT count(*) AS failures FROM t WHERE NOT (p >= 0 AND p <= 1)");
    const [expr] = parseDataTests("expression low <= high severity=warn");
    assert.deepEqual(expr, { kind: "expression", condition: "low <= high", severity: "warn" });
    assert.equal(dataTestSql("t", expr!), "SELECT count(*) AS failures FROM t WHERE NOT (low <= high)");
  });
});

describe("dependency order", () => {
  it("puts every model after what it reads, ties by name", () => {
    const ms = [model("d", "", "SELECT * FROM {{ ref('b') }}, {{ ref('c') }}"), model("c", "", "SELECT * FROM {{ ref('a') }}"), model("b", "", "SELECT * FROM {{ ref('a') }}"), model("a", ""), model("e", "")];
    assert.deepEqual(dependencyOrder(ms).map((m) => m.name), ["a", "b", "c", "d", "e"]);
    assert.deepEqual([...withDownstream(ms, ["b"])].sort(), ["b", "d"]);
  });

  it("reports cycles and unknown refs", () => {
    assert.throws(() => dependencyOrder([model("x", "", "SELECT * FROM {{ ref('y') }}"), model("y", "", "SELECT * FROM {{ ref('x') }}")]), /cycle among models: x, y/);
    assert.throws(() => dependencyOrder([model("x", "", "SELECT * FROM {{ ref('nope') }}")]), /unknown model "nope"/);
  });

  it("orders the shipped models: 1m before 1h before daily; outcomes before performance", () => {
    const order = dependencyOrder(loadModels()).map((m) => m.name);
    assert.deepEqual(order, ["ohlcv_1m", "ohlcv_1h", "market_summary_daily", "stg_bar_outcomes", "model_performance"]);
  });
});
