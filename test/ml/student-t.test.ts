import { test } from "node:test";
import assert from "node:assert/strict";
import { incompleteBeta, logGamma, tCdf, tQuantile, tSurvival } from "../../src/ml/student-t.js";

const close = (a: number, b: number, eps: number, what = "") => assert.ok(Math.abs(a - b) <= eps, `${what} ${a} ≉ ${b}`);

test("log-gamma and the incomplete beta on closed forms", () => {
  close(logGamma(5), Math.log(24), 1e-13, "lnΓ(5)");
  close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13, "lnΓ(½)");
  close(logGamma(0.1), Math.log(9.513507698668732), 1e-12, "lnΓ(0.1)");
  for (const x of [0, 0.1, 0.37, 0.5, 0.99, 1]) {
    close(incompleteBeta(x, 1, 1), x, 1e-14, `I_${x}(1,1)`);
    close(incompleteBeta(x, 3, 1), x ** 3, 1e-14, `I_${x}(3,1)`);
    close(incompleteBeta(x, 1, 4), 1 - (1 - x) ** 4, 1e-14, `I_${x}(1,4)`);
  }
  close(incompleteBeta(0.5, 7.5, 7.5), 0.5, 1e-14, "symmetric");
  assert.throws(() => incompleteBeta(1.5, 1, 1), RangeError);
  assert.throws(() => incompleteBeta(0.5, 0, 1), RangeError);
});

test("t CDF: closed forms for 1 and 2 degrees of freedom", () => {
  for (const t of [-30, -2.5, -1, -0.2, 0, 0.3, 1, 4, 100]) {
    close(tCdf(t, 1), 0.5 + Math.atan(t) / Math.PI, 1e-14, `Cauchy ${t}`);
    close(tCdf(t, 2), 0.5 + t / (2 * Math.sqrt(2 + t * t)), 1e-14, `df 2 ${t}`);
  }
  assert.equal(tCdf(Infinity, 3), 1);
  assert.equal(tCdf(-Infinity, 3), 0);
  // The upper tail keeps its digits where 1 − CDF would round to 0.
  close(tSurvival(40, 1), 0.5 - Math.atan(40) / Math.PI, 1e-16, "tail");
  assert.ok(tSurvival(12, 400) > 0 && tSurvival(12, 400) < 1e-25);
});

test("t quantiles match the printed tables", () => {
  // Two-sided / one-sided critical values from standard t tables (and R's qt).
  const table: [p: number, df: number, t: number][] = [
    [0.95, 1, 6.313751515],
    [0.975, 10, 2.228138852],
    [0.99, 30, 2.457261542],
    [0.995, 5, 4.032142984],
    [0.95, 120, 1.657650899],
  ];
  for (const [p, df, t] of table) {
    close(tQuantile(p, df), t, 1e-8, `t(${p}, ${df})`);
    close(tCdf(tQuantile(p, df), df), p, 1e-12, `round trip ${p}, ${df}`);
  }
  // Large df tends to the normal (1.959963985) from above, by about (z³ + z) / (4 df).
  close(tQuantile(0.975, 1e6), 1.959963985 + (1.959963985 ** 3 + 1.959963985) / 4e6, 1e-8, "df 1e6");
  close(tQuantile(0.025, 10), -2.228138852, 1e-8, "lower tail");
  assert.equal(tQuantile(0.5, 7), 0);
  assert.throws(() => tQuantile(1, 5), RangeError);
  assert.throws(() => tCdf(1, 0), RangeError);
});
