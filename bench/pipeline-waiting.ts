/**
 * What a pipeline bench is waiting on, for its deadlines: the node's state and actors, the market
 * region's partitions, bars emitted, the simulator's progress and every JetStream consumer's
 * backlog (pending / ack-pending / num_waiting). Each part answers within a few seconds or says so.
 */
import type { Pipeline } from "./pipeline-harness.js";
import { describeJetStream, within } from "./runner/jetstream-waiting.js";

interface MarketStatus {
  bars: number;
  gaps: number;
  missingTrades: number;
  region?: { partitionsRunning: number; logPending: number; held: number; resent: number };
}

export async function describePipeline(p: Pipeline): Promise<string> {
  const node = p.node.status();
  const market = node.components["market"] as MarketStatus | undefined;
  const partitions = p.market.region()?.stats().partitions ?? [];
  const busy = partitions.filter((x) => x.state !== "running" || (x.consumer?.pending ?? 0) > 0 || (x.consumer?.unhandled ?? 0) > 0);
  const [sim, folded, jetstream] = await Promise.all([
    within(5_000, p.simStats(), "simulator stats"),
    within(5_000, p.folded(), "symbol actors' counters"),
    describeJetStream(p.nc),
  ]);
  return [
    `node ${node.nodeId}: ${node.state}, ${node.actors.count} actors, mailboxes ${node.actors.mailboxDepthTotal} deep (deepest ${node.actors.deepest.map((d) => `${d.path} ${d.depth}`).join(", ") || "-"}), restarts ${node.actors.restarts}`,
    `market: ${market?.bars ?? "?"} bars emitted, gaps ${market?.gaps ?? "?"}, missing ${market?.missingTrades ?? "?"}; region ${JSON.stringify(market?.region ?? null)}`,
    `partitions not running or with a backlog: ${busy.length === 0 ? "none" : busy.map((x) => `p${x.partition} ${x.state} pending ${x.consumer?.pending ?? "-"} unhandled ${x.consumer?.unhandled ?? "-"} floor ${x.consumer?.floor ?? "-"} fetches ${x.consumer?.fetches ?? "-"}`).join("; ")}`,
    `simulator: ${typeof sim === "string" ? sim : JSON.stringify(sim)}`,
    `symbol actors: ${typeof folded === "string" ? folded : JSON.stringify(folded)}`,
    jetstream,
  ].join("\n");
}
