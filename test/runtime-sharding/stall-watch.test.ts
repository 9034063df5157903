import { test } from "node:test";
import assert from "node:assert/strict";
import { renderStatus } from "../../src/admin/render.js";
import type { NodeStatus } from "../../src/runtime/status.js";
import { restartedAt, watchStall, type StallVerdict, type StallWatchState } from "../../src/runtime/cluster/consumer/stall-watch.js";

const LIMIT = 30_000;

/** Feeds observations (at, progress, backlog) in order and returns each verdict. */
function run(steps: Array<[at: number, progress: number[], backlog: number]>): StallVerdict[] {
  let state: StallWatchState | undefined;
  return steps.map(([at, progress, backlog]) => {
    const r = watchStall(state, { progress, backlog }, at, LIMIT);
    state = r.state;
    return r.verdict;
  });
}

test("watchStall: a partition is stalled only with backlog and no progress for the whole limit", () => {
  const cases: Array<{ name: string; steps: Array<[number, number[], number]>; last: StallVerdict }> = [
    { name: "first look counts as moving", steps: [[0, [0, 0, 0], 5]], last: { kind: "moving" } },
    { name: "counters moved", steps: [[0, [1, 1, 0], 5], [40_000, [2, 1, 0], 5]], last: { kind: "moving" } },
    { name: "the ack floor alone moving is progress", steps: [[0, [1, 1, 0], 5], [40_000, [1, 1, 7], 5]], last: { kind: "moving" } },
    { name: "nothing to do is idle, however long", steps: [[0, [3, 3, 3], 0], [100_000, [3, 3, 3], 0]], last: { kind: "idle" } },
    { name: "backlog, no progress, under the limit", steps: [[0, [3, 3, 3], 9], [29_999, [3, 3, 3], 9]], last: { kind: "waiting", forMs: 29_999 } },
    { name: "backlog, no progress, at the limit", steps: [[0, [3, 3, 3], 9], [30_000, [3, 3, 3], 9]], last: { kind: "stalled", forMs: 30_000, newly: true } },
    { name: "reported once per episode", steps: [[0, [3, 3, 3], 9], [30_000, [3, 3, 3], 9], [45_000, [3, 3, 3], 9]], last: { kind: "stalled", forMs: 45_000, newly: false } },
    { name: "idle in between starts the clock again", steps: [[0, [3, 3, 3], 9], [20_000, [3, 3, 3], 0], [45_000, [3, 3, 3], 9]], last: { kind: "waiting", forMs: 25_000 } },
    { name: "moving again ends the episode", steps: [[0, [3, 3, 3], 9], [30_000, [3, 3, 3], 9], [31_000, [4, 3, 3], 9]], last: { kind: "moving" } },
    { name: "a new episode is reported again", steps: [[0, [3, 3, 3], 9], [30_000, [3, 3, 3], 9], [31_000, [4, 3, 3], 9], [61_000, [4, 3, 3], 9]], last: { kind: "stalled", forMs: 30_000, newly: true } },
  ];
  for (const c of cases) assert.deepEqual(run(c.steps).at(-1), c.last, c.name);
});

test("restartedAt: a restarted partition gets a whole new period before it counts as stalled again", () => {
  const stalled = watchStall({ progress: [1], since: 0, stalled: false }, { progress: [1], backlog: 4 }, 30_000, LIMIT);
  assert.deepEqual(stalled.verdict, { kind: "stalled", forMs: 30_000, newly: true });
  const fresh = restartedAt(stalled.state, 31_000);
  assert.deepEqual(watchStall(fresh, { progress: [1], backlog: 4 }, 60_000, LIMIT).verdict, { kind: "waiting", forMs: 29_000 });
  assert.deepEqual(watchStall(fresh, { progress: [1], backlog: 4 }, 61_000, LIMIT).verdict, { kind: "stalled", forMs: 30_000, newly: true });
});

test("admin status lists the partitions a watchdog reported, per node", () => {
  const node = (nodeId: string, stalled: unknown[]): NodeStatus => ({
    nodeId,
    host: "h",
    pid: 1,
    roles: ["market"],
    state: "running",
    uptimeMs: 1000,
    actors: { count: 1, restarts: 0, mailboxDepthTotal: 0, deepest: [] },
    cluster: { partitionCount: 2, members: [], owners: [nodeId, nodeId], owned: [0, 1] },
    partitionLag: [],
    components: { market: { region: { partitionsRunning: 2, stalls: stalled.length, stalled } } },
  });
  const text = renderStatus([node("n1", [{ partition: 1, stalledForMs: 42_000, restarts: 0, gaveUp: false }]), node("n2", [{ partition: 0, stalledForMs: 0, restarts: 5, gaveUp: true }])]);
  assert.match(text, /NODE\s+PARTITION\s+STALLED\s+RESTARTS\s+GAVE UP/);
  assert.match(text, /n1\s+1\s+42s\s+0\s+no/);
  assert.match(text, /n2\s+0\s+no \(was\)\s+5\s+yes/);
  assert.doesNotMatch(renderStatus([node("n3", [])]), /GAVE UP/);
});
