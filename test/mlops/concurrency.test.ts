/**
 * Two trainers (two ml nodes) promote the same symbol at the same moment against the real KV
 * bucket: the loser of the compare-and-set re-reads, re-scores the new champion on its own
 * held-out window and decides again — no promotion is lost, none is overwritten by a worse one,
 * and the database history ends in the same state as the pointer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { bootstrap, platformLogSpec, BUCKETS } from "../../src/runtime/nats/index.js";
import { migrate, championHistory } from "../../src/db/index.js";
import { LocalStorage } from "../../src/lake/index.js";
import { TrainingPool } from "../../src/ml/pool/index.js";
import { ArtifactStore, InMemorySilverSource, KvChampionStore, Trainer, type ChampionPointer, type ChampionStore, type MlopsEvent } from "../../src/mlops/index.js";
import { postgresBackend } from "../db/fixtures.js";
import { startNatsServer } from "../helpers/nats-server.js";
import { waitFor } from "../helpers/wait.js";
import { ar1Trades, onlineBars, tempDir } from "./support.js";

/** A store whose first write waits until `release()`: the decision it carries goes stale meanwhile. */
class HeldStore implements ChampionStore {
  waiting = false;
  #release!: () => void;
  readonly #gate = new Promise<void>((r) => (this.#release = r));
  #held = false;
  constructor(readonly inner: ChampionStore) {}
  read(symbol: string) {
    return this.inner.read(symbol);
  }
  list() {
    return this.inner.list();
  }
  async write(symbol: string, pointer: ChampionPointer, expected: number | null) {
    if (!this.#held) {
      this.#held = true;
      this.waiting = true;
      await this.#gate;
    }
    return this.inner.write(symbol, pointer, expected);
  }
  release() {
    this.#release();
  }
}

test("concurrent promotions on two nodes: the compare-and-set loser decides again against the winner", { timeout: 120_000 }, async () => {
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  await using db = await postgresBackend().open();
  using dir = tempDir();
  await using pool = new TrainingPool({ maxThreads: 1 });
  try {
    await bootstrap(nc, platformLogSpec());
    await migrate(db);
    const kv = await new Kvm(nc).open(BUCKETS.champions);
    const source = new InMemorySilverSource();
    source.add(onlineBars(ar1Trades("SYNUSDT", 400, 1_700_000_000_000), "SYNUSDT"));
    const artifacts = new ArtifactStore(new LocalStorage(dir.path));
    const held = new HeldStore(new KvChampionStore(kv));
    const eventsB: MlopsEvent[] = [];
    // Node B trains ElasticNet (the better model here), node A gradient boosting.
    const nodeB = new Trainer({ source, pool, db, store: held, artifacts, algorithms: ["elasticnet"], events: (e) => eventsB.push(e) });
    const nodeA = new Trainer({ source, pool, db, store: new KvChampionStore(kv), artifacts, algorithms: ["gradient-boosting"] });

    const b = nodeB.train("SYNUSDT", "patrol");
    await waitFor(() => held.waiting, { what: "B's promotion decided and waiting to write" });
    const a = await nodeA.train("SYNUSDT", "patrol");
    assert.equal(a.promotion?.promoted, true, "A promotes first (no champion yet)");
    const aVersion = a.promotion!.promoted ? a.promotion!.version : "";
    held.release();
    const bOutcome = await b;

    // B decided again, against A's champion: on the same data no held-out row is newer than A's
    // data, so B cannot be tested against it and A stays (before, B replaced A on a lower RMSE).
    assert.equal(bOutcome.promotion?.promoted, false, bOutcome.promotion?.reason);
    assert.match(bOutcome.promotion!.reason, /^too-few-rows-vs-champion/, "B's second decision was against A's champion");
    assert.equal(bOutcome.champion, aVersion);
    const pointer = (await new KvChampionStore(kv).read("SYNUSDT"))!.pointer;
    assert.equal(pointer.version, aVersion, "A's promotion is kept, not overwritten");
    const history = await championHistory(db, "SYNUSDT");
    assert.deepEqual(history.map((h) => h.modelVersion), [aVersion]);
    assert.ok(eventsB.some((e) => e.type === "not-promoted" && e.champion === aVersion));
  } finally {
    await nc.close();
  }
});
