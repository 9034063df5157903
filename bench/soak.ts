/**
 * `npm run bench -- soak`: the demo at live rates for SOAK_MINUTES (default 10) with a kill -9 and
 * a restart in the middle, then `verifyLake` over the whole run. It must end with 0 holes,
 * 0 trades missing from bronze, 0 duplicates and 0 missing or doubled bars; otherwise it fails.
 *
 * Cluster: one ingest node (reads the synthetic market) and two `market,lake` nodes sharing one
 * lake directory. Half-way, the node that runs the lake writers (partition 0's lease) is killed
 * with SIGKILL while trades keep trickling in; it restarts after SOAK_DOWN_S (default 20 s).
 * Env: SOAK_MINUTES, SOAK_SYMBOLS (5), SOAK_RATE (200 trades/s in total), SOAK_DOWN_S.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NodeStatus } from "../src/runtime/status.js";
import { Lake } from "../src/lake/lake.js";
import { BRONZE_TRADES_APP_ID, BRONZE_TRADES_TABLE } from "../src/lake/tables/bronze-trades.js";
import { SILVER_BARS_APP_ID, SILVER_BARS_TABLE } from "../src/lake/tables/silver-bars.js";
import { STREAMS } from "../src/runtime/nats/spec.js";
import { verifyLake } from "../src/verify/index.js";
import type { VerifyReport } from "../src/verify/types.js";
import { renderVerify } from "../src/admin/render-verify.js";
import { defaultSymbols } from "../src/simulator/synthetic-source.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { tempDir } from "../test/market-e2e/support.js";
import { nodeStatuses as statuses, startNodeProcess, startSimulatorProcess, type NodeProc } from "./node-process.js";
import { pollUntil, withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!(v > 0)) throw new RangeError(`${name} must be a positive number (got ${process.env[name]})`);
  return v;
};

const lakeWriting = (s: NodeStatus) => (s.components["lake"] as { writing?: boolean } | undefined)?.writing === true;

async function committedSeq(lake: Lake, table: string, appId: string): Promise<number> {
  if (!(await lake.exists(table))) return -1;
  return (await lake.table(table).snapshot()).txns.get(appId) ?? -1;
}

export async function run(): Promise<void> {
  const minutes = env("SOAK_MINUTES", 10);
  const symbolCount = env("SOAK_SYMBOLS", 5);
  const rate = env("SOAK_RATE", 200);
  const downMs = env("SOAK_DOWN_S", 20) * 1000;
  const runMs = minutes * 60_000;
  await using nats = await startNatsServer();
  const nc = await connect({ servers: nats.url });
  const root = tempDir("bench-soak-");
  const lakeDir = join(root, "lake");
  const symbols = defaultSymbols(symbolCount);
  const sim = await startSimulatorProcess(["--symbols", symbols.join(","), "--rate", String(rate), "--start", "first"]);
  const simulator = sim.child;
  const simulatorAlive = () => sim.alive();
  const common = { natsUrl: nats.url, lakeDir, wsUrl: sim.wsUrl, symbols };
  const nodes = new Map<string, NodeProc>();
  const start = (id: string, roles: string) => nodes.set(id, startNodeProcess(id, roles, { ...common, dataDir: join(root, id) }));
  const lake = Lake.open(lakeDir);
  let keep = false;
  const describe = async () => {
    const s = await statuses(nc);
    const lines = s.map((n) => `${n.nodeId}: ${n.state}, partitions ${JSON.stringify((n as { partitions?: unknown }).partitions ?? "?")}, lake writing ${lakeWriting(n)}`);
    const bronze = await committedSeq(lake, BRONZE_TRADES_TABLE, BRONZE_TRADES_APP_ID).catch(() => NaN);
    const silver = await committedSeq(lake, SILVER_BARS_TABLE, SILVER_BARS_APP_ID).catch(() => NaN);
    const tails = [...nodes.values()].flatMap((n) => n.tail.slice(-5));
    return [...lines, `bronze committed seq ${bronze}, silver committed seq ${silver}`, ...tails].join("\n");
  };
  try {
    phase("starting 3 nodes");
    start("soak-ingest", "ingest");
    start("soak-a", "market,lake");
    start("soak-b", "market,lake");
    await pollUntil("3 nodes answering and a lake writer running", 120_000, async () => {
      const s = await statuses(nc);
      return s.length === 3 && s.some(lakeWriting);
    }, describe, { intervalMs: 500 });
    const began = Date.now();
    console.log(`soak: ${symbols.length} symbols at ${rate} trades/s for ${minutes} min; kill -9 of the lake writer's node half-way, back after ${downMs / 1000} s`);

    phase("first half at live rate");
    await new Promise((r) => setTimeout(r, runMs / 2));
    simulatorAlive();
    const writer = (await statuses(nc)).find(lakeWriting);
    if (!writer) throw new Error(`no node runs the lake writers half-way:\n${await describe()}`);
    const victim = nodes.get(writer.nodeId)!;
    victim.child.kill("SIGKILL");
    await victim.exited;
    console.log(`soak: killed ${victim.id} (lake writers, partitions) at ${((Date.now() - began) / 60_000).toFixed(1)} min`);
    phase(`${victim.id} down`);
    await new Promise((r) => setTimeout(r, downMs));
    start(victim.id, "market,lake");
    console.log(`soak: restarted ${victim.id}`);

    phase("second half at live rate");
    await new Promise((r) => setTimeout(r, Math.max(0, began + runMs - Date.now())));
    simulatorAlive();
    simulator.kill("SIGTERM");
    console.log("soak: market closed; waiting for the lake to commit the whole log");

    phase("the lake catching up with the log");
    const jsm = await jetstreamManager(nc);
    const heads = async () => ({ trades: (await jsm.streams.info(STREAMS.trades)).state.last_seq, silver: (await jsm.streams.info(STREAMS.silver)).state.last_seq });
    await pollUntil("bronze and silver committed up to the log's last sequence", 180_000, async () => {
      const h = await heads();
      return (await committedSeq(lake, BRONZE_TRADES_TABLE, BRONZE_TRADES_APP_ID)) >= h.trades && (await committedSeq(lake, SILVER_BARS_TABLE, SILVER_BARS_APP_ID)) >= h.silver;
    }, async () => `log heads ${JSON.stringify(await heads())}\n${await describe()}`, { intervalMs: 1000 });

    phase("verify");
    console.log("soak: lake caught up; verifying");
    const report: VerifyReport = await withDeadline("verifyLake over the whole run", 300_000, verifyLake({ nc, lake }));
    const t = report.totals;
    console.log(renderVerify("the soak cluster", report));
    record(`soak ${minutes} min, kill -9 of the lake node: trades verified`, t.logTrades, "trades");
    record(`soak ${minutes} min: holes + missing + duplicate trade ids`, t.holes + t.missingFromBronze + t.duplicateIds + t.extraInBronze, "ids");
    record(`soak ${minutes} min: missing + doubled + unexpected bars`, t.missingBars + t.doubledBars + t.unexpectedBars, "bars");
    if (report.status !== "PASSED") {
      keep = true;
      throw new Error(`verify FAILED after the soak (lake, node data and logs kept in ${root})`);
    }
  } finally {
    phase("stopping");
    simulator.kill("SIGTERM");
    for (const n of nodes.values()) n.child.kill("SIGTERM");
    await withDeadline("every node to exit after SIGTERM", 60_000, Promise.all([...nodes.values()].map((n) => n.exited)), describe).catch((err: unknown) => {
      for (const n of nodes.values()) n.child.kill("SIGKILL");
      throw err;
    });
    await nc.close();
    if (!keep) rmSync(root, { recursive: true, force: true });
  }
}
