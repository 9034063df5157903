/** The scale bench's CPU arithmetic (pure): per million trades, the steady part of a run, the control run. */

/** CPU-seconds of each process (node processes, nats-server, the simulator). */
export type CpuSeconds = { nodes: number[]; nats: number; sim: number };

/** The processes' CPU at one poll, with the trades emitted by then. */
export interface CpuSample {
  emitted: number;
  cpu: CpuSeconds;
  /** Wall clock (s) and the whole machine's busy CPU-seconds (every process, /proc/stat). */
  wallS: number;
  machine: number;
}

/** One live-rate run: `nodes` node processes, `symbols` symbols, `rate` trades/s. */
export interface LatencySpec {
  nodes: number;
  symbols: number;
  rate: number;
}

/**
 * The control for N nodes: one node with a 1/N share of the symbols and of the rate, i.e. what
 * each node of the N-node cluster carries. N such lone nodes would cost the same per trade as it
 * does; what the N-node cluster costs beyond that is its coordination overhead. (A node's CPU per
 * trade falls as its own load rises, as more work is done per event-loop wake-up, so 1 node at the
 * full rate is not the baseline for N nodes that each carry 1/N of it.)
 */
export const controlFor = (full: { symbols: number; rate: number }, n: number): LatencySpec => ({ nodes: 1, symbols: Math.ceil(full.symbols / n), rate: Math.round(full.rate / n) });

/** The nodes' figures added up. */
export const sumOf = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** The nodes' figures one by one: "10.7 / 10.9 / 11.2". */
export const perNode = (xs: readonly number[]): string => xs.map((x) => x.toFixed(1)).join(" / ");

/** Each process's CPU-seconds between two readings, times `scale` (per million trades, % of a core, ...). */
export function cpuBetween(before: CpuSeconds, after: CpuSeconds, scale: number): CpuSeconds {
  const f = (b: number, a: number) => (a - b) * scale;
  return { nodes: after.nodes.map((a, i) => f(before.nodes[i]!, a)), nats: f(before.nats, after.nats), sim: f(before.sim, after.sim) };
}

/** CPU-seconds per million trades of each process between two readings. */
export function cpuPerMillion(before: CpuSeconds, after: CpuSeconds, trades: number): CpuSeconds {
  return cpuBetween(before, after, 1e6 / trades);
}

/**
 * The steady-state cost at a live rate: CPU per trade between the polls at which 30 % and 80 % of
 * the trades had been emitted, so neither the warm-up (JIT, the symbols' first actors) nor the
 * drain and the end-of-run idle marks count. Trades emitted in between stand for trades handled in
 * between, which holds while the nodes keep up (their partition lag stays small); undefined when
 * the polls do not span the window.
 */
export function steadyCpuPerMillion(samples: readonly CpuSample[], total: number): CpuSeconds | undefined {
  const w = steadyWindow(samples, total);
  return w && cpuPerMillion(w.from.cpu, w.to.cpu, w.to.emitted - w.from.emitted);
}

/**
 * How busy the machine was over the same steady window, in cores: every process (`busy`: the
 * bench itself and anything else running too) and the run's own (nodes, nats-server, simulator).
 * A latency measured with the machine's cores all busy is a latency of waiting for a core.
 */
export function steadyMachineCores(samples: readonly CpuSample[], total: number): { busy: number; run: number } | undefined {
  const w = steadyWindow(samples, total);
  if (w === undefined || !(w.to.wallS > w.from.wallS)) return undefined;
  const secs = w.to.wallS - w.from.wallS;
  const run = (c: CpuSeconds) => sumOf(c.nodes) + c.nats + c.sim;
  return { busy: (w.to.machine - w.from.machine) / secs, run: (run(w.to.cpu) - run(w.from.cpu)) / secs };
}

/** The polls at which 30 % and 80 % of the trades had been emitted, if they span at least 25 %. */
function steadyWindow(samples: readonly CpuSample[], total: number): { from: CpuSample; to: CpuSample } | undefined {
  const from = samples.find((s) => s.emitted >= 0.3 * total);
  const to = samples.findLast((s) => s.emitted <= 0.8 * total);
  if (from === undefined || to === undefined || to.emitted - from.emitted < 0.25 * total) return undefined;
  return { from, to };
}
