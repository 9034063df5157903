/**
 * MLOps figures: dataset building from silver bars (main thread), one full training round
 * (silver → dataset → pool league → PostgreSQL registry → lake artifact → KV promotion) at
 * several sizes with the main thread's event-loop delay meanwhile, and the promotion → cache
 * swap latency (KV compare-and-set until a symbol actor would hold the new predictor).
 * Uses a private nats-server and a fresh PostgreSQL schema (TEST_DATABASE_URL or local).
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { migrate, openDatabase } from "../src/db/index.js";
import { Lake } from "../src/lake/index.js";
import { TrainingPool } from "../src/ml/pool/index.js";
import { bootstrap, platformLogSpec, BUCKETS } from "../src/runtime/nats/index.js";
import { ArtifactStore, ChampionCache, InMemorySilverSource, KvChampionStore, Trainer, buildDataset, promotedPointer, updatePointer, type TrainingBar } from "../src/mlops/index.js";
import { startNatsServer } from "../test/helpers/nats-server.js";
import { randomSchema } from "../test/db/fixtures.js";
import { tempDir } from "../test/mlops/support.js";
import { withDeadline } from "./runner/deadline.js";
import { phase, record } from "./runner/figures.js";

const DB_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** AR(1) bars (φ 0.6) with a volatility, as the silver table holds them. */
function bars(symbol: string, n: number, seed = 7): TrainingBar[] {
  let s = seed;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 2 ** 32;
  const g = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  let price = 100;
  let r = 0;
  return Array.from({ length: n }, (_, i) => {
    r = 0.6 * r + 0.002 * g();
    price *= 1 + r;
    return { symbol, windowStart: i * 10_000, windowEnd: i * 10_000 + 30_000, close: price, volatility: price * 0.001 * (1 + Math.abs(g())) };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<void> {
  phase("buildDataset");
  for (const n of [10_000, 100_000]) {
    const b = bars("B", n);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      buildDataset(b);
      times.push(performance.now() - t);
    }
    record(`buildDataset from ${n.toLocaleString("en")} silver bars (main thread, median of 5)`, median(times), "ms");
    console.log(`buildDataset ${n.toLocaleString()} bars: ${median(times).toFixed(1)} ms (median of 5, main thread)`);
  }

  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const schema = randomSchema("bench");
  const db = await openDatabase({ url: DB_URL, schema });
  using dir = tempDir("mlops-bench-");
  try {
    await bootstrap(nc, platformLogSpec());
    await migrate(db);
    const kv = await new Kvm(nc).open(BUCKETS.champions);
    const store = new KvChampionStore(kv);
    const lake = Lake.open(dir.path);
    const source = new InMemorySilverSource();
    await using pool = new TrainingPool({ maxThreads: 1 });
    const trainer = new Trainer({ source, pool, db, store, artifacts: new ArtifactStore(lake.storage) });
    for (const n of [1_000, 10_000, 50_000]) {
      const symbol = `S${n}`;
      phase(`training round on ${n.toLocaleString("en")} bars`);
      source.add(bars(symbol, n));
      const train = () => withDeadline(`a training round on ${n.toLocaleString("en")} bars`, 300_000, trainer.train(symbol, "admin"), () => `training pool: ${pool.pending} task(s) pending (capacity ${pool.capacity})`);
      await train(); // warm-up (worker start, JIT) and first champion
      const h = monitorEventLoopDelay({ resolution: 1 });
      h.enable();
      const t = performance.now();
      const o = await train();
      const wall = performance.now() - t;
      h.disable();
      record(`training round, ${n.toLocaleString("en")} bars (4 models, registry, promotion check)`, wall, "ms", o.promotion?.promoted ? "promoted" : "kept champion");
      record(`event-loop delay p99 during that ${n.toLocaleString("en")}-bar round`, h.percentile(99) / 1e6, "ms", `max ${(h.max / 1e6).toFixed(1)} ms`);
      console.log(
        `training round ${n.toLocaleString()} bars (4 models, registry, promotion check): ${wall.toFixed(0)} ms wall; ` +
          `event loop p50 ${(h.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms; ${o.promotion?.promoted ? "promoted" : "kept champion"}`,
      );
    }

    // Promotion → predictor in the cache (what a SymbolActor receives as model-changed).
    phase("promotion → cache swap");
    await using cache = new ChampionCache({ kv, artifacts: new ArtifactStore(lake.storage) });
    await cache.start();
    // Each promotion names a new version whose artifact is S1000's model file: a real load every time.
    const source1k = (await store.read("S1000"))!.pointer;
    const lat: number[] = [];
    for (let i = 1; i <= 30; i++) {
      let resolve!: () => void;
      const swapped = new Promise<void>((r) => (resolve = r));
      const off = cache.onChange((symbol, p) => symbol === "BENCH" && p.version === `BENCH/v${i}` && resolve());
      const t = performance.now();
      await updatePointer(store, "BENCH", (cur) => promotedPointer("BENCH", cur, { version: `BENCH/v${i}`, kind: source1k.kind, artifact: source1k.artifact, promotedAt: Date.now(), reason: "bench" }));
      await withDeadline(`the cache to swap to BENCH/v${i}`, 30_000, swapped, async () => `champion pointer ${JSON.stringify(await store.read("BENCH"))}`);
      lat.push(performance.now() - t);
      off();
    }
    lat.sort((a, b) => a - b);
    record("promotion → cache swap p50 (KV CAS + watch + artifact load + predictor)", median(lat), "ms", `max ${lat[lat.length - 1]!.toFixed(2)} ms over ${lat.length}`);
    console.log(`promotion → cache swap (KV CAS + watch + artifact load + predictor): p50 ${median(lat).toFixed(2)} ms, max ${lat[lat.length - 1]!.toFixed(2)} ms over ${lat.length}`);
  } finally {
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
    await nc.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await run();
