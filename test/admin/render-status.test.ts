import { test } from "node:test";
import assert from "node:assert/strict";
import { RENDERED_LIST_ITEMS, renderStatus } from "../../src/admin/render.js";
import type { NodeStatus } from "../../src/runtime/status.js";

test("admin status shows a component's long lists as their length and first items (5,000 live symbols), short ones whole", () => {
  const symbols = Array.from({ length: 5000 }, (_, i) => `S${String(i).padStart(4, "0")}USDT`);
  const node: NodeStatus = {
    nodeId: "n1",
    host: "h",
    pid: 1,
    roles: ["market", "ingest"],
    state: "running",
    uptimeMs: 1000,
    actors: { count: 1, restarts: 0, mailboxDepthTotal: 0, deepest: [] },
    cluster: { partitionCount: 2, members: [], owners: ["n1", "n1"], owned: [0, 1] },
    partitionLag: [],
    components: { market: { liveSymbols: symbols, bars: 7 }, ingest: { shards: [0, 1] } },
  };
  const text = renderStatus([node]);
  const market = text.split("\n").find((l) => l.startsWith("n1 market: "))!;
  assert.equal(market, `n1 market: {"liveSymbols":"5000 items: ${symbols.slice(0, RENDERED_LIST_ITEMS).join(", ")}, …","bars":7}`);
  assert.ok(text.includes(`n1 ingest: {"shards":[0,1]}`));
  assert.ok(text.length < 2000, `${text.length} characters`);
});
