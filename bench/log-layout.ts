/**
 * What the trade log's layout costs at a live rate, transport only (no actors, no bars): the same
 * trades, at `LAYOUT_RATE` trades/s (10,000) over `LAYOUT_SYMBOLS` symbols (1,000) for
 * `LAYOUT_SECONDS` (15 s), sealed every `LAYOUT_LINGER_MS` (20 ms: the publisher's linger at 1,000
 * active symbols while the node has room), in two layouts on the real TRADES stream
 * (platformLogSpec) of a private nats-server:
 * - **per symbol** (the log today): one message per symbol per linger tick, on
 *   `md.trades.<partition>.<SYMBOL>`;
 * - **per partition** (not the node's yet): one message per partition per linger tick, on
 *   `md.trades.<partition>.all`, holding one batch per symbol (src/ingest/partition-log.ts),
 *   written by the real PartitionLogWriter: the subject's expected last sequence, one publish in
 *   flight per partition (ticks queued behind it go out together), a checkpoint of every symbol's
 *   last id once a second; no Nats-Msg-Id.
 *
 * The per-symbol layout publishes as the node's publisher does (Nats-Msg-Id, the subject's
 * expected last sequence, one publish in flight per subject). Both read as the partition consumers
 * do (one durable pull consumer per partition, AckAll with one ack per burst, every batch
 * decoded). Rounds alternate the layouts (`LAYOUT_ROUNDS`, 2 each), each on a fresh server.
 *
 * Reports, per layout: messages per trade; this process's CPU (publishing and consuming; making
 * the trades is timed and left out) and nats-server's, in CPU-s per million trades; trade arrival → decoded by its partition consumer,
 * p50/p99 (the linger included: a trade arrives at a uniform time within its tick). This is what
 * the node's log traffic would cost, not an end-to-end figure: see bench/README.md, "Log layout".
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JsMsg } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { setMaxListeners } from "node:events";
import { batchMsgId, decodeTradeLogEntry, encodeTradeBatch } from "../src/ingest/batch-codec.js";
import { decodePartitionMessage, partitionLogSubject } from "../src/ingest/partition-log.js";
import { PartitionLogWriter } from "../src/ingest/partition-writer.js";
import { readPartitionTail } from "../src/ingest/partition-tail.js";
import { readStreamSlice } from "../src/runtime/nats/stream-slice.js";
import type { Trade } from "../src/market/trade.js";
import { partitionOf } from "../src/runtime/cluster/partition.js";
import { summarize, type LatencySummary } from "../src/runtime/latency.js";
import { connectNats } from "../src/runtime/nats/index.js";
import { bootstrap } from "../src/runtime/nats/bootstrap.js";
import { platformLogSpec, STREAMS, TRADE_SUBJECT_PREFIX, tradeSubject } from "../src/runtime/nats/spec.js";
import { defaultSymbols } from "../src/simulator/synthetic-source.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { withDeadline } from "./runner/deadline.js";
import { exitAfterIfEntry } from "./runner/entry.js";
import { envNumber } from "./runner/env.js";
import { phase, record } from "./runner/figures.js";
import { cpuSeconds } from "./runner/process-cpu.js";

export type Layout = "per symbol" | "per partition";
export const LAYOUTS: readonly Layout[] = ["per symbol", "per partition"];
const PARTITIONS = 32;
const FETCH_MAX = 256;

/** One per-symbol message to publish: its subject, bytes, de-duplication id and how many trades it holds. */
export interface SealedMessage {
  subject: string;
  payload: Uint8Array;
  msgId: string;
  trades: number;
}

/** One partition's share of a tick: one entry per symbol, its trades in arrival order. */
export interface PartitionGroup {
  partition: number;
  entries: { trades: Trade[] }[];
}

/** The trades that arrived during one linger tick, grouped by partition, then by symbol (arrival order kept). Pure. */
export function groupTick(trades: readonly Trade[], partitions: number): PartitionGroup[] {
  const bySymbol = new Map<string, Trade[]>();
  for (const t of trades) {
    const list = bySymbol.get(t.symbol);
    if (list === undefined) bySymbol.set(t.symbol, [t]);
    else list.push(t);
  }
  const byPartition = new Map<number, PartitionGroup>();
  for (const list of bySymbol.values()) {
    const partition = partitionOf(list[0]!.symbol, partitions);
    const group = byPartition.get(partition);
    if (group === undefined) byPartition.set(partition, { partition, entries: [{ trades: list }] });
    else group.entries.push({ trades: list });
  }
  return [...byPartition.values()];
}

/** The per-symbol layout (the log today): one message per symbol of the tick, on its own subject. Pure. */
export function perSymbolMessages(groups: readonly PartitionGroup[]): SealedMessage[] {
  return groups.flatMap(({ partition, entries }) =>
    entries.map(({ trades: list }) => {
      const first = list[0]!;
      return { subject: tradeSubject(partition, first.symbol), payload: encodeTradeBatch(list), msgId: batchMsgId(first.source, first.symbol, first.tradeId, list[list.length - 1]!.tradeId), trades: list.length };
    }),
  );
}

/** A message of either layout → its trades (decoded as a partition consumer would). Pure. */
export function decodeMessage(data: Uint8Array, layout: Layout): Trade[] {
  if (layout === "per symbol") return decodeTradeLogEntry(data).trades;
  return decodePartitionMessage(data).entries.flatMap((e) => e.trades);
}

interface LayoutRound {
  layout: Layout;
  trades: number;
  messages: number;
  bytes: number;
  /** Publishing and consuming, without making the trades. */
  clientCpuPerMillion: number;
  natsCpuPerMillion: number;
  latency: LatencySummary;
  /** Per partition: what a writer new to each partition (a takeover) takes to read its tail, and how many messages it folded. */
  takeover?: { ms: LatencySummary; folded: LatencySummary };
}

/** A takeover's first step, per partition subject: the tail read from a new connection (last checkpoint, then forward). */
async function takeoverReads(url: string): Promise<NonNullable<LayoutRound["takeover"]>> {
  const nc = await connectNats(url, "bench-log-layout-takeover");
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const ms: number[] = [];
    const folded: number[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const subject = partitionLogSubject(p);
      const t0 = performance.now();
      const tail = await readPartitionTail(js, jsm, STREAMS.trades, subject);
      ms.push(Math.round(performance.now() - t0));
      // Messages on the subject from its checkpoint to its tail (the checkpoint included).
      folded.push(await countOnSubject(js, subject, tail.checkpointSeq ?? 1, tail.seq));
    }
    return { ms: summarize(ms), folded: summarize(folded) };
  } finally {
    await nc.close();
  }
}

async function countOnSubject(js: JetStreamClient, subject: string, from: number, to: number): Promise<number> {
  let n = 0;
  await readStreamSlice(js, { stream: STREAMS.trades, subject, startSeq: from, endSeq: to }, () => n++);
  return n;
}

/** Publishes like the trade publisher: per subject one publish in flight, expecting the last sequence it saw. */
class Lanes {
  readonly #js: JetStreamClient;
  readonly #lanes = new Map<string, { queue: SealedMessage[]; busy: boolean; lastSeq: number | undefined }>();
  #failure: unknown;

  constructor(js: JetStreamClient) {
    this.#js = js;
  }

  /** Throws the first publish failure, if any. */
  check(): void {
    if (this.#failure !== undefined) throw new Error(`a publish failed: ${String(this.#failure)}`);
  }

  send(m: SealedMessage): void {
    this.check();
    let lane = this.#lanes.get(m.subject);
    if (lane === undefined) this.#lanes.set(m.subject, (lane = { queue: [], busy: false, lastSeq: undefined }));
    lane.queue.push(m);
    this.#pump(lane);
  }

  get queued(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.queue.length;
    return n;
  }

  #pump(lane: { queue: SealedMessage[]; busy: boolean; lastSeq: number | undefined }): void {
    const head = lane.queue[0];
    if (lane.busy || head === undefined) return;
    lane.busy = true;
    const expect = lane.lastSeq === undefined ? {} : { expect: { lastSubjectSequence: lane.lastSeq } };
    this.#js.publish(head.subject, head.payload, { msgID: head.msgId, timeout: 10_000, ...expect }).then(
      (ack) => {
        lane.busy = false;
        lane.lastSeq = ack.seq;
        lane.queue.shift();
        this.#pump(lane);
      },
      (err: unknown) => {
        this.#failure = err;
      },
    );
  }
}

/** Reads one partition like a partition consumer: pulls of up to 256, every batch decoded, one AckAll per burst. */
async function consumePartition(nc: NatsConnection, partition: number, layout: Layout, onTrades: (trades: Trade[]) => void, stop: AbortSignal): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const durable = `bench-layout-${partition}`;
  await jsm.consumers.add(STREAMS.trades, { durable_name: durable, filter_subject: `${TRADE_SUBJECT_PREFIX}.${partition}.>`, ack_policy: AckPolicy.All, deliver_policy: DeliverPolicy.All, max_ack_pending: 1000 });
  const consumer = await jetstream(nc).consumers.get(STREAMS.trades, durable);
  let last: JsMsg | undefined;
  let ackScheduled = false;
  const ack = () => {
    ackScheduled = false;
    last?.ack();
  };
  // consume(): nats.js keeps up to 256 messages asked for, pulling more as they arrive. Pulls of
  // 1 s, as the node's, would all expire together at 50 messages/s a partition, and nats-server 2.9
  // loses the end of some: consume() notices after two missed heartbeats (1 s), the node 100 ms
  // after the expiry (fetch-deadline.ts). With the default 30 s pulls, refilled before they expire,
  // neither layout waits for an expiry.
  const messages = await consumer.consume({ max_messages: FETCH_MAX });
  stop.addEventListener("abort", () => void messages.close(), { once: true });
  for await (const m of messages) {
    onTrades(decodeMessage(m.data, layout));
    last = m;
    if (!ackScheduled) {
      ackScheduled = true;
      queueMicrotask(ack);
    }
  }
}

async function runRound(layout: Layout, o: { rate: number; symbols: number; seconds: number; lingerMs: number }): Promise<LayoutRound> {
  await using nats = await startNatsServer();
  const nc = await connectNats(nats.url, `bench-log-layout`);
  try {
    await bootstrap(nc, platformLogSpec());
    const total = o.rate * o.seconds;
    const latencies: number[] = [];
    let consumed = 0;
    let consumerFailure: unknown;
    const stop = new AbortController();
    setMaxListeners(PARTITIONS + 1, stop.signal);
    const consumers = Array.from({ length: PARTITIONS }, (_, p) =>
      consumePartition(
        nc,
        p,
        layout,
        (trades) => {
          const now = Date.now();
          for (const t of trades) latencies.push(now - t.ingestTime);
          consumed += trades.length;
        },
        stop.signal,
      ).catch((err: unknown) => {
        consumerFailure ??= err;
      }),
    );
    const lanes = new Lanes(jetstream(nc));
    const writer = new PartitionLogWriter(jetstream(nc), await jetstreamManager(nc), { stream: STREAMS.trades });
    const symbols = defaultSymbols(o.symbols);
    const nextId = new Map(symbols.map((s) => [s, 1]));
    const perTick = (o.rate * o.lingerMs) / 1000;
    let emitted = 0;
    let messages = 0;
    let bytes = 0;
    // Making the trades is this process's work too, but not the node's (it parses frames instead): timed apart.
    let makingMs = 0;
    const nats0 = cpuSeconds(nats.process.pid);
    const cpu0 = process.cpuUsage();
    await withDeadline(`${total.toLocaleString("en-US")} trades published (${layout})`, o.seconds * 3000 + 30_000, async () => {
      const t0 = Date.now();
      for (let tick = 1; emitted < total; tick++) {
        // Trades arrive at uniform times within the tick that ends now; the tick seals them.
        const due = Math.min(total, Math.round(tick * perTick));
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + tick * o.lingerMs - Date.now())));
        const madeFrom = performance.now();
        const now = Date.now();
        const arrived: Trade[] = [];
        for (; emitted < due; emitted++) {
          const symbol = symbols[Math.floor(Math.random() * symbols.length)]!;
          const id = nextId.get(symbol)!;
          nextId.set(symbol, id + 1);
          const at = now - Math.floor(Math.random() * o.lingerMs);
          arrived.push({ source: "binance", symbol, tradeId: id, price: 100.5, quantity: 0.25, priceText: "100.50000000", quantityText: "0.25000000", tradeTime: at, eventTime: at, ingestTime: at, buyerIsMaker: (id & 1) === 0 });
        }
        arrived.sort((a, b) => a.ingestTime - b.ingestTime);
        makingMs += performance.now() - madeFrom;
        const groups = groupTick(arrived, PARTITIONS);
        if (layout === "per partition") for (const g of groups) writer.send(partitionLogSubject(g.partition), g.entries);
        else
          for (const m of perSymbolMessages(groups)) {
            messages++;
            bytes += m.payload.length;
            lanes.send(m);
          }
      }
    });
    await withDeadline(`every trade decoded by the partition consumers (${layout})`, 60_000, async () => {
      while (consumed < total) {
        lanes.check();
        if (writer.failure !== undefined) throw new Error(`the partition writer failed: ${String(writer.failure)}`);
        if (consumerFailure !== undefined) throw new Error(`a partition consumer failed: ${String(consumerFailure)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }, () => `${consumed} of ${total} trades consumed, ${lanes.queued + writer.queued} messages or entries not yet published`);
    if (layout === "per partition") ({ messages, bytes } = writer.stats);
    const cpu = process.cpuUsage(cpu0);
    const natsCpu = cpuSeconds(nats.process.pid) - nats0;
    stop.abort();
    await Promise.race([Promise.all(consumers), new Promise((r) => setTimeout(r, 2000))]);
    if (consumed !== total) throw new Error(`${layout}: ${consumed} trades consumed, ${total} published`);
    const takeover = layout === "per partition" ? await takeoverReads(nats.url) : undefined;
    return { ...(takeover ? { takeover } : {}), layout, trades: total, messages, bytes, clientCpuPerMillion: (((cpu.user + cpu.system) / 1e6 - makingMs / 1000) / total) * 1e6, natsCpuPerMillion: (natsCpu / total) * 1e6, latency: summarize(latencies) };
  } finally {
    await nc.close();
  }
}

export async function run(): Promise<void> {
  const o = { rate: envNumber("LAYOUT_RATE", 10_000), symbols: envNumber("LAYOUT_SYMBOLS", 1000), seconds: envNumber("LAYOUT_SECONDS", 15), lingerMs: envNumber("LAYOUT_LINGER_MS", 20) };
  const rounds = envNumber("LAYOUT_ROUNDS", 2);
  const results: LayoutRound[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const layout of LAYOUTS) {
      phase(`round ${r}: ${layout}, ${o.symbols} symbols at ${o.rate} trades/s for ${o.seconds} s, linger ${o.lingerMs} ms`);
      const x = await runRound(layout, o);
      results.push(x);
      console.log(
        `  round ${r}, ${layout}: ${(x.messages / x.trades).toFixed(3)} messages per trade (${x.messages.toLocaleString("en-US")}), ${(x.bytes / x.trades).toFixed(0)} bytes per trade; ` +
          `CPU-s per million trades: publisher + consumers ${x.clientCpuPerMillion.toFixed(1)}, nats-server ${x.natsCpuPerMillion.toFixed(1)}; ` +
          `arrival → decoded p50 ${x.latency.p50} / p99 ${x.latency.p99} / max ${x.latency.max} ms` +
          (x.takeover ? `; a takeover's tail read per partition p50 ${x.takeover.ms.p50} / max ${x.takeover.ms.max} ms, folding ${x.takeover.folded.p50} / max ${x.takeover.folded.max} messages` : ""),
      );
    }
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = sorted.length / 2;
    return Number.isInteger(mid) ? (sorted[mid - 1]! + sorted[mid]!) / 2 : sorted[Math.floor(mid)]!;
  };
  const at = `${o.symbols} symbols at ${o.rate} trades/s, linger ${o.lingerMs} ms`;
  for (const layout of LAYOUTS) {
    const mine = results.filter((x) => x.layout === layout);
    record(`log layout ${layout}: messages per trade, ${at}`, median(mine.map((x) => x.messages / x.trades)), "msgs", `median of ${mine.length} rounds`);
    record(`log layout ${layout}: publisher + consumers CPU per million trades, ${at}`, median(mine.map((x) => x.clientCpuPerMillion)), "CPU-s", `median of ${mine.length} rounds`);
    record(`log layout ${layout}: nats-server CPU per million trades, ${at}`, median(mine.map((x) => x.natsCpuPerMillion)), "CPU-s", `median of ${mine.length} rounds`);
    const takeovers = mine.flatMap((x) => (x.takeover ? [x.takeover] : []));
    if (takeovers.length > 0) record(`log layout ${layout}: a takeover's tail read per partition, max, ${at}`, median(takeovers.map((t) => t.ms.max ?? NaN)), "ms", `median of ${takeovers.length} rounds; p50 ${median(takeovers.map((t) => t.ms.p50 ?? NaN))} ms, folding up to ${Math.max(...takeovers.map((t) => t.folded.max ?? 0))} messages`);
    record(`log layout ${layout}: arrival → decoded p99, ${at}`, median(mine.map((x) => x.latency.p99 ?? NaN)), "ms", `median of ${mine.length} rounds; p50 ${median(mine.map((x) => x.latency.p50 ?? NaN))} ms`);
  }
}

exitAfterIfEntry(import.meta.url, run);
