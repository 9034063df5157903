import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, type BackoffPolicy } from "../../src/runtime/backoff.js";
import { seededRandom } from "../../src/runtime/random.js";

// The policies the platform uses: supervisor restarts, serving-writer retries, market reconnects.
const restarts: BackoffPolicy = { initialMs: 100, maxMs: 30_000, factor: 2, jitter: 0.2 };
const serving: BackoffPolicy = { initialMs: 200, maxMs: 10_000, factor: 2, jitter: 0.5 };
const reconnect: BackoffPolicy = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };

describe("backoffDelay", () => {
  const table: { attempt: number; random: number; policy?: BackoffPolicy; expected: number }[] = [
    { attempt: 0, random: 0, expected: 100 },
    { attempt: 1, random: 0, expected: 200 },
    { attempt: 2, random: 0, expected: 400 },
    { attempt: 8, random: 0, expected: 25_600 },
    { attempt: 9, random: 0, expected: 30_000 }, // 51 200 capped
    { attempt: 1000, random: 0, expected: 30_000 }, // no overflow to Infinity
    { attempt: 0, random: 0.5, expected: 90 }, // 100 - 100*0.2*0.5
    { attempt: 0, random: 0.999_999, expected: 80 }, // jitter only ever shortens, by at most 20 %
    { attempt: 9, random: 1, expected: 24_000 },
    { attempt: 3, random: 0.7, policy: { ...restarts, jitter: 0 }, expected: 800 },
    { attempt: 3, random: 0, policy: { ...restarts, factor: 1 }, expected: 100 },
    { attempt: 2, random: 0, policy: { initialMs: 10, maxMs: 10, factor: 3, jitter: 0 }, expected: 10 },
    { attempt: -1, random: 0, expected: 100 }, // negative attempts clamp to the first
    { attempt: 2.7, random: 0, expected: 400 },
    { attempt: 0, random: 0, policy: { initialMs: 0, maxMs: 1000, factor: 2, jitter: 0.5 }, expected: 0 },
    { attempt: 5, random: 0, policy: serving, expected: 6400 },
    { attempt: 6, random: 0, policy: serving, expected: 10_000 },
    { attempt: 49, random: 0, policy: serving, expected: 10_000 },
    { attempt: 0, random: 1, policy: serving, expected: 100 },
    { attempt: 2, random: 0.5, policy: serving, expected: 600 },
    { attempt: 3, random: 0, policy: reconnect, expected: 800 },
    { attempt: 4, random: 0, policy: reconnect, expected: 1000 },
    { attempt: 10, random: 0, policy: reconnect, expected: 1000 },
    { attempt: 0, random: 0.999_999, policy: reconnect, expected: 50 },
    { attempt: 3, random: 0.999_999, policy: reconnect, expected: 400 },
  ];
  for (const row of table) {
    it(`attempt ${row.attempt}, random ${row.random}${row.policy ? `, ${JSON.stringify(row.policy)}` : ""} → ${row.expected} ms`, () => {
      assert.equal(backoffDelay(row.attempt, row.policy ?? restarts, () => row.random), row.expected);
    });
  }

  it("stays within [base·(1-jitter), base] for random draws", () => {
    const random = seededRandom(14);
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(30_000, 100 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelay(attempt, restarts, random);
        assert.ok(d >= Math.round(base * 0.8) && d <= base, `attempt ${attempt}: ${d} outside [${base * 0.8}, ${base}]`);
      }
    }
  });

  it("draws from Math.random when no source is given, never above the cap", () => {
    for (let i = 0; i < 100; i++) assert.ok(backoffDelay(50, reconnect) <= reconnect.maxMs);
  });
});
