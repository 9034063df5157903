/** The failed-token-attempt limit on an injected clock: the window, Retry-After, successes not counted, the address bound, address keys. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { addressKey, FailureLimit } from "../../src/web/server/failure-limit.js";

test("after maxFailures failures an address is refused until its window (from the first failure) ends; others are not", () => {
  let now = 1_000_000;
  const limit = new FailureLimit({ maxFailures: 3, windowMs: 60_000, now: () => now });
  assert.deepEqual(limit.check("10.0.0.1"), { ok: true });
  limit.fail("10.0.0.1");
  now += 10_000;
  limit.fail("10.0.0.1");
  assert.deepEqual(limit.check("10.0.0.1"), { ok: true }, "2 of 3");
  limit.fail("10.0.0.1");
  assert.deepEqual(limit.check("10.0.0.1"), { ok: false, retryAfterSeconds: 50 }, "window started 10 s ago");
  assert.deepEqual(limit.check("10.0.0.2"), { ok: true }, "another address is not affected");
  now += 49_500;
  assert.deepEqual(limit.check("10.0.0.1"), { ok: false, retryAfterSeconds: 1 }, "never less than 1 s while refused");
  now += 500;
  assert.deepEqual(limit.check("10.0.0.1"), { ok: true }, "the window ended");
  limit.fail("10.0.0.1");
  assert.deepEqual(limit.check("10.0.0.1"), { ok: true }, "a new window counts from 1");
});

test("at most maxAddresses are tracked, the oldest window forgotten first", () => {
  let now = 0;
  const limit = new FailureLimit({ maxFailures: 1, windowMs: 1_000, maxAddresses: 2, now: () => now });
  limit.fail("10.0.0.1");
  now = 1;
  limit.fail("10.0.0.2");
  limit.fail("10.0.0.3");
  assert.equal(limit.size, 2);
  assert.deepEqual(limit.check("10.0.0.1"), { ok: true }, "forgotten");
  assert.equal(limit.check("10.0.0.2").ok, false);
  assert.equal(limit.check("10.0.0.3").ok, false);
});

test("addresses are keyed per IPv4 address, IPv4-mapped as IPv4, IPv6 per /64", () => {
  assert.equal(addressKey("10.1.2.3"), "10.1.2.3");
  assert.equal(addressKey("::ffff:10.1.2.3"), "10.1.2.3");
  assert.equal(addressKey("2001:db8:0:1::5"), "2001:db8:0:1::/64");
  assert.equal(addressKey("2001:0db8:0000:0001:ffff:1:2:3"), "2001:db8:0:1::/64");
  assert.equal(addressKey("::1"), "0:0:0:0::/64");
  assert.equal(addressKey("fe80::1%eth0"), "fe80:0:0:0::/64");
  assert.equal(addressKey(undefined), "unknown");
  let now = 0;
  const limit = new FailureLimit({ maxFailures: 1, now: () => now });
  limit.fail("2001:db8:0:1::5");
  assert.equal(limit.check("2001:db8:0:1::ffff").ok, false, "same /64");
  assert.equal(limit.check("2001:db8:0:2::5").ok, true, "another /64");
});

test("bad options are refused", () => {
  assert.throws(() => new FailureLimit({ maxFailures: 0 }), RangeError);
  assert.throws(() => new FailureLimit({ windowMs: -1 }), RangeError);
});
