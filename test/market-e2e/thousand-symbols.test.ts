/**
 * The market path at 1,000 symbols, sized for CI: the synthetic market (own process) → ingest →
 * TRADES → 32 partition consumers → SymbolActors → SILVER on one node and a private nats-server,
 * as bench/pipeline.ts runs it. Counts only, no times: every trade folded exactly once, every bar
 * that is due emitted, every consumer drained and acknowledged.
 *
 * While the log flows, the node's event loop is stalled a few times (as on a busy or starved
 * machine). Pull deadlines then run before the socket is read, so deliveries go missing in transit
 * and every consumer has to take its recovery path: before it was fixed, that path deadlocked
 * (consumers stopped pulling for good) or, once that was fixed, lost the first pull after a
 * recreate and acked it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jetstreamManager } from "@nats-io/jetstream";
import { STREAMS } from "../../src/runtime/nats/spec.js";
import type { PublisherStatus } from "../../src/ingest/publisher-types.js";
import { startPipeline, type Pipeline } from "../../bench/pipeline-harness.js";
import { waitFor } from "../helpers/wait.js";
import { bruteForceBars, loggedTrades } from "./support.js";

const SYMBOLS = 1_000;
const TRADES = 200_000;
const WINDOW = { sizeMs: 2_000, slideMs: 1_000, latenessMs: 200 };
const STALLS = 12;
const STALL_MS = 1_300;
/**
 * Leases long enough that the stalls, on a machine loaded by other tests, do not make this lone
 * node lose its ingest leases: a lost and retaken shard may send every symbol to the exchange's
 * REST history, which its rate limit serves at 4 symbols a second (minutes for 1,000). That path
 * has its own test (ingest-lease-lost.test.ts); this one is about the consumers' recovery. A lone
 * node has nobody to hand a shard to, so the long overlap only matters if the leases lapse anyway
 * (a CI run once lost them and retook them past the default 30 s + lease TTL): the node then takes
 * them back while still reading.
 */
const LEASES = ["--lease-ttl", "20s", "--member-ttl", "30s", "--ingest-handover-overlap", "120s"];
const PROGRESS_EVERY_MS = 20_000;
/** The node's status at 1,000 symbols is bounded by this; with the publisher's per-symbol list it was over 135 KB. */
const STATUS_BOUND_BYTES = 64 * 1024;

/** Blocks the whole node (ingest, consumers, actors) for `ms`: what a long GC pause or a starved CPU does. */
function stallEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy: nothing else in this process runs
  }
}

/**
 * Stalls when the server holds undelivered messages for the consumers (a pull in flight then gets
 * them during the stall), at spread-out points of the run; if the consumers keep up, anyway.
 */
async function stallWhileFlowing(p: Pipeline): Promise<void> {
  const jsm = await jetstreamManager(p.nc);
  for (let i = 1; i <= STALLS; i++) {
    const emitted = (TRADES * i) / (STALLS + 1);
    await waitFor(async () => (await p.simStats()).eventsEmitted >= emitted, { timeoutMs: 120_000, intervalMs: 25, what: `${emitted} trades emitted` });
    const backlog = async () => (await jsm.consumers.info(STREAMS.trades, `symbols-p${i % 32}`)).num_pending > 0;
    await waitFor(backlog, { timeoutMs: 2_000, intervalMs: 10, what: "a backlog on the server" }).catch(() => {});
    stallEventLoop(STALL_MS);
  }
}

async function progressLine(p: Pipeline): Promise<string> {
  const f = await p.folded();
  const ingest = p.node.status().components.ingest as { client?: { reconnects: number; serverShutdowns: number }; publisher?: { gaps: number; backfilled: number; backfilling: number; held: number; missingTrades: number }; shards?: number[]; lingering?: number } | undefined;
  const c = ingest?.client;
  const pub = ingest?.publisher;
  return `thousand-symbols progress: emitted ${(await p.simStats()).eventsEmitted}, folded ${f.trades}; ingest shards held ${ingest?.shards?.length ?? "?"}, lingering ${ingest?.lingering ?? "?"}; feed reconnects ${c?.reconnects ?? "?"}, server shutdowns ${c?.serverShutdowns ?? "?"}; gaps ${pub?.gaps ?? "?"}, backfilled ${pub?.backfilled ?? "?"}, filling now ${pub?.backfilling ?? "?"}, held ${pub?.held ?? "?"}, missing ${pub?.missingTrades ?? "?"}`;
}

test("1,000 symbols, 200,000 trades with the event loop stalled mid-flow: every trade folded once, every due bar emitted, every consumer drained", async () => {
  await using p = await startPipeline({
    symbols: SYMBOLS,
    rate: "max",
    total: TRADES,
    // Event time moves only with trades here (no idle watermarks), so the due bars are what the
    // trades alone close, whatever the run's timing: test/market-e2e/idle-watermark covers idle symbols.
    nodeFlags: ["--window-size", `${WINDOW.sizeMs}ms`, "--window-slide", `${WINDOW.slideMs}ms`, "--allowed-lateness", `${WINDOW.latenessMs}ms`, "--idle-timeout", "0", ...LEASES],
  });
  // If the run ever hangs again, the log says where it was: emitted, folded, the feed's reconnects and REST fills.
  const progress = setInterval(() => void progressLine(p).then((line) => console.error(line), () => {}), PROGRESS_EVERY_MS);
  using _ = { [Symbol.dispose]: () => clearInterval(progress) };
  const region = () => (p.market.status?.() as { region?: { partitionsRunning: number; logPending: number } } | undefined)?.region;
  await waitFor(() => region()?.partitionsRunning === 32, { timeoutMs: 60_000, intervalMs: 100, what: "32 partitions running" });
  await p.go();
  await stallWhileFlowing(p);

  const folded = await waitFor(
    async () => {
      const f = await p.folded();
      return f.trades >= TRADES ? f : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: `${TRADES} trades folded by the symbol actors` },
  );
  assert.equal(folded.trades, TRADES, "each trade folded once");
  assert.equal(folded.gaps + folded.missing, 0, "no trade id gap in any symbol");
  assert.equal((await p.simStats()).eventsEmitted, TRADES);

  // Due bars: per symbol, the windows that close before its watermark, computed from the log by hand.
  const trades = await loggedTrades(p.nc);
  assert.equal(trades.length, TRADES, "every trade in the log once");
  const bySymbol = new Map<string, typeof trades>();
  for (const t of trades) {
    const list = bySymbol.get(t.symbol);
    if (list === undefined) bySymbol.set(t.symbol, [t]);
    else list.push(t);
  }
  const due = new Map<string, number>();
  for (const [symbol, ts] of bySymbol) due.set(symbol, bruteForceBars(ts, WINDOW.sizeMs, WINDOW.slideMs, WINDOW.latenessMs).length);
  const dueTotal = [...due.values()].reduce((a, b) => a + b, 0);
  assert.ok(dueTotal >= SYMBOLS, `the run closes bars (${dueTotal} due)`);

  const jsm = await jetstreamManager(p.nc);
  const silver = await waitFor(
    async () => {
      const subjects = (await jsm.streams.info(STREAMS.silver, { subjects_filter: "silver.>" })).state.subjects ?? {};
      const total = Object.values(subjects).reduce((a, b) => a + b, 0);
      return total >= dueTotal ? subjects : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: `${dueTotal} due bars in SILVER` },
  );
  const emitted = new Map([...due.keys()].map((s) => [s, silver[`silver.${s}`] ?? 0]));
  assert.deepEqual(emitted, due, "per symbol, SILVER holds exactly the due bars");

  // Nothing left behind: every partition consumer drained its log and acknowledged all of it.
  await waitFor(() => region()?.logPending === 0, { timeoutMs: 60_000, intervalMs: 200, what: "no log message pending in any partition" });
  const lastSeq = (await jsm.streams.info(STREAMS.trades)).state.last_seq;
  await waitFor(
    async () => {
      const infos = await Promise.all(Array.from({ length: 32 }, (_, i) => jsm.consumers.info(STREAMS.trades, `symbols-p${i}`)));
      return infos.every((c) => c.num_pending === 0 && c.num_ack_pending === 0 && c.delivered.stream_seq <= lastSeq);
    },
    { timeoutMs: 60_000, intervalMs: 500, what: "every consumer with nothing pending and nothing unacknowledged" },
  );

  // The node's status (sent every second, and over NATS to `admin status`) carries no per-symbol
  // list: at 10,000 symbols the publisher's alone was 1.35 MB, more than a NATS message may carry,
  // and the node stopped answering. One symbol's figures are asked for by name.
  const status = JSON.stringify(p.node.status());
  const ingest = p.node.status().components.ingest as { publisher: PublisherStatus };
  assert.deepEqual(ingest.publisher.symbols, [], "no per-symbol list in the node's status");
  assert.ok(status.length < STATUS_BOUND_BYTES, `node status ${status.length} bytes at ${SYMBOLS} symbols`);
  const symbol = p.symbols[0]!;
  const reply = await p.admin("ingest-status", [symbol.toLowerCase()]);
  assert.ok(reply?.ok, JSON.stringify(reply));
  const named = (reply.result as { publisher: PublisherStatus }).publisher.symbols;
  assert.deepEqual(named.map((s) => [s.symbol, s.accepted, s.published]), [[symbol, bySymbol.get(symbol)!.length, bySymbol.get(symbol)!.length]], "ingest-status SYMBOL: that symbol's figures only");
});
