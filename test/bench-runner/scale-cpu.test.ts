import assert from "node:assert/strict";
import { test } from "node:test";
import { controlFor, cpuBetween, cpuPerMillion, perNode, steadyCpuPerMillion, steadyMachineCores, sumOf, type CpuSample } from "../../bench/scale-cpu.js";

// One poll a second at 10,000 trades/s; the machine is 0.5 CPU-s a second busier than the run.
const at = (emitted: number, node: number): CpuSample => ({ emitted, cpu: { nodes: [node, node / 2], nats: node / 4, sim: 0 }, wallS: emitted / 10_000, machine: node * 1.75 + emitted / 20_000 });

test("scale cpu: per million trades between two readings, per process", () => {
  const r = cpuPerMillion({ nodes: [1, 2], nats: 0.5, sim: 0 }, { nodes: [3, 3], nats: 1, sim: 0.25 }, 500_000);
  assert.deepEqual(r, { nodes: [4, 2], nats: 1, sim: 0.5 });
});

test("scale cpu: between two readings, scaled (here to % of a core over 5 s)", () => {
  assert.deepEqual(cpuBetween({ nodes: [1, 2], nats: 0.5, sim: 0 }, { nodes: [1.1, 2.25], nats: 0.55, sim: 0 }, 100 / 5).nodes.map((x) => Math.round(x * 1000) / 1000), [2, 5]);
});

test("scale cpu: the steady cost leaves out the warm-up and the drain", () => {
  // 100,000 trades; the warm-up (first 20,000) costs 10 CPU-s, then 1 CPU-s per 10,000 trades, then a drain of 5 CPU-s.
  const samples: CpuSample[] = [at(0, 0), at(20_000, 10)];
  for (let e = 30_000; e <= 100_000; e += 10_000) samples.push(at(e, 10 + (e - 20_000) / 10_000));
  samples.push(at(100_000, 23), at(100_000, 25));
  const steady = steadyCpuPerMillion(samples, 100_000)!;
  assert.deepEqual(steady.nodes, [100, 50]); // 1 CPU-s per 10,000 = 100 per million, the second node half
  assert.equal(steady.nats, 25);
  // The whole run says far more: warm-up and drain counted.
  assert.equal(cpuPerMillion(samples[0]!.cpu, samples.at(-1)!.cpu, 100_000).nodes[0], 250);
});

test("scale cpu: no steady figure when the polls do not span the middle of the run", () => {
  assert.equal(steadyCpuPerMillion([], 1000), undefined);
  assert.equal(steadyCpuPerMillion([at(0, 0), at(1000, 5)], 1000), undefined);
  assert.equal(steadyCpuPerMillion([at(0, 0), at(400, 1), at(500, 2), at(1000, 5)], 1000), undefined, "300..800 spans only 400..500");
});

test("scale cpu: how busy the machine was over the steady window, in cores", () => {
  // As above: 1 CPU-s of the first node per 10,000 trades (one second) in the middle, half that
  // on the second, a quarter on nats-server: 1.75 cores the run's, 0.5 more the machine's.
  const samples: CpuSample[] = [at(0, 0), at(20_000, 10)];
  for (let e = 30_000; e <= 100_000; e += 10_000) samples.push(at(e, 10 + (e - 20_000) / 10_000));
  const cores = steadyMachineCores(samples, 100_000)!;
  assert.ok(Math.abs(cores.run - 1.75) < 1e-9, String(cores.run));
  assert.ok(Math.abs(cores.busy - 2.25) < 1e-9, String(cores.busy));
  assert.equal(steadyMachineCores([at(0, 0), at(1000, 5)], 1000), undefined);
});

test("scale cpu: the control for N nodes is one node with 1/N of the symbols and of the rate", () => {
  assert.deepEqual(controlFor({ symbols: 1000, rate: 10_000 }, 3), { nodes: 1, symbols: 334, rate: 3333 });
  assert.deepEqual(controlFor({ symbols: 1000, rate: 10_000 }, 2), { nodes: 1, symbols: 500, rate: 5000 });
});

test("scale cpu: the nodes' figures added up and listed", () => {
  assert.equal(sumOf([10.7, 10.9, 11.2]), 10.7 + 10.9 + 11.2);
  assert.equal(sumOf([]), 0);
  assert.equal(perNode([10.71, 10.9, 11.25]), "10.7 / 10.9 / 11.3");
});
