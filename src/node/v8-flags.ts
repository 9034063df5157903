/**
 * V8 flags every node process is started with: `npm start` and `npm run demo` (package.json), the
 * image (Dockerfile) and the benches' node processes (bench/node-process.ts) all pass them; a test
 * (test/config/v8-flags.test.ts) keeps the four in step. They must be given at launch: V8 sizes the
 * heap when the process starts, and `v8.setFlagsFromString` afterwards changes nothing.
 *
 * `--max-semi-space-size=64` (MB; Node 20's default is 16): a node allocates a short-lived object
 * or more for every trade, batch, ack and bar, and with the default young generation the
 * scavenger took 15–16 % of a node's CPU at 1,000 symbols and 10,000 trades/s; with 64 MB, 10–11 %
 * (32 MB: 13–14 %), at the cost of about 100 MB more resident memory
 * (`BENCH_NODE_PROFILE` with `SCALE_ONLY=latency SCALE_NODES=1 npm run bench -- scale`).
 */
export const NODE_V8_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
