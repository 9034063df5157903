import type { NodeStatus } from "../runtime/status.js";

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

interface WatchedPartition {
  partition: number;
  stalledForMs: number;
  restarts: number;
  gaveUp: boolean;
}

/** Partitions a component's stall watchdog reported (`<component>.region.stalled`, see the market component). */
function watchedPartitions(s: NodeStatus): WatchedPartition[] {
  return Object.values(s.components).flatMap((c) => {
    const stalled = (c as { region?: { stalled?: unknown } } | null)?.region?.stalled;
    return Array.isArray(stalled) ? (stalled as WatchedPartition[]) : [];
  });
}

/** Lists longer than this are shown as their length and first items (a 5,000-symbol `liveSymbols` is 70 KB). */
export const RENDERED_LIST_ITEMS = 8;

/** JSON.stringify's replacer for the components' lines: long lists become "<n> items: a, b, …". */
function compactLists(_key: string, value: unknown): unknown {
  if (!Array.isArray(value) || value.length <= RENDERED_LIST_ITEMS) return value;
  const head = value.slice(0, RENDERED_LIST_ITEMS).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  return `${value.length} items: ${head.join(", ")}, …`;
}

/** Human-readable cluster status from every node's answer (`--json` gives it whole). */
export function renderStatus(statuses: NodeStatus[]): string {
  const nodes = table(
    ["NODE", "ROLES", "STATE", "PARTITIONS", "ACTORS", "MAILBOX", "RESTARTS", "UPTIME"],
    statuses.map((s) => [
      s.nodeId,
      s.roles.join(","),
      s.state,
      String(s.cluster.owned.length),
      String(s.actors.count),
      String(s.actors.mailboxDepthTotal),
      String(s.actors.restarts),
      duration(s.uptimeMs),
    ]),
  );
  const view = statuses[0];
  if (!view) return "no node answered";
  const owners = view.cluster.owners;
  const unowned = owners.filter((o) => o === null).length;
  const byOwner = new Map<string, number[]>();
  owners.forEach((o, p) => {
    const key = o ?? "(none)";
    byOwner.set(key, [...(byOwner.get(key) ?? []), p]);
  });
  const partitions = table(
    ["OWNER", "COUNT", "PARTITIONS"],
    [...byOwner.entries()].sort().map(([owner, ps]) => [owner, String(ps.length), ps.join(" ")]),
  );
  const deepest = statuses
    .flatMap((s) => s.actors.deepest.map((d) => [s.nodeId, d.path, String(d.depth)]))
    .filter((r) => r[2] !== "0")
    .slice(0, 10);
  const parts = [
    `cluster: ${statuses.length} node(s) answered, ${view.cluster.members.length} member(s), ${view.cluster.partitionCount} partitions, ${unowned} unowned`,
    "",
    nodes,
    "",
    partitions,
  ];
  if (deepest.length > 0) parts.push("", table(["NODE", "ACTOR", "MAILBOX"], deepest));
  const stalled = statuses.flatMap((s) =>
    watchedPartitions(s).map((p) => [s.nodeId, String(p.partition), p.stalledForMs > 0 ? duration(p.stalledForMs) : "no (was)", String(p.restarts), p.gaveUp ? "yes" : "no"]),
  );
  if (stalled.length > 0) parts.push("", table(["NODE", "PARTITION", "STALLED", "RESTARTS", "GAVE UP"], stalled));
  for (const s of statuses) {
    for (const [name, value] of Object.entries(s.components)) parts.push("", `${s.nodeId} ${name}: ${JSON.stringify(value, compactLists)}`);
  }
  return parts.join("\n");
}
