import { test } from "node:test";
import assert from "node:assert/strict";
import { ActorSystem } from "../../src/runtime/actor/index.js";
import { AckFrontier } from "../../src/runtime/cluster/consumer/progress.js";
import { DuplicateDelivery, EntityEnvelope, EntityShell, LogInput, type LogProgress, type ShellMessage } from "../../src/runtime/cluster/region/entity.js";
import type { SnapshotStore, StoredSnapshot } from "../../src/runtime/cluster/snapshots/snapshot-store.js";
import { waitFor } from "../helpers/wait.js";
import { SumEntity, type CounterMsg, type SumEvent, type SumState } from "../fixtures/sharding-entities.js";

class MemorySnapshots implements SnapshotStore {
  readonly data = new Map<string, string>();
  async load(key: string): Promise<StoredSnapshot | undefined> {
    const raw = this.data.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as StoredSnapshot);
  }
  async save(key: string, snapshot: StoredSnapshot): Promise<void> {
    this.data.set(key, JSON.stringify(snapshot));
  }
}

/** LogProgress over a real AckFrontier, recording what became durable. */
function progressOver(frontier: AckFrontier<LogInput<SumEvent>>): LogProgress<SumEvent> & { acked: number[] } {
  const acked: number[] = [];
  return {
    acked,
    handled: (seq) => frontier.handled(seq),
    covered: (key, upTo) => {
      frontier.covered(key, upTo);
      const top = frontier.advance();
      if (top !== undefined) acked.push(top.seq);
    },
    pendingFor: (key, after) => frontier.pendingFor(key, after),
  };
}

const tell = (n: number, sender?: string, seq?: number) =>
  new EntityEnvelope<CounterMsg, SumEvent>({ type: "message", message: { type: "add", n }, ...(sender === undefined ? {} : { from: { sender, seq: seq! } }) });

test("a resend after a crash restore is not applied twice: the snapshot remembers each sender's last seq", async () => {
  const store = new MemorySnapshots();
  const fence = { fenced: false };
  const shell = () => new EntityShell<CounterMsg, SumEvent>({ key: "k", entity: new SumEntity(), store, progress: undefined, policy: { everyMessages: 1, everyMs: 60_000 }, fence });
  await using system = new ActorSystem({ name: "shell-test" });
  const first = system.spawn<ShellMessage<CounterMsg, SumEvent>>("k1", shell);
  for (const seq of [1, 2, 3]) await first.tell(tell(seq * 10, "S", seq));
  assert.deepEqual(await first.ask({ type: "get" }), { sum: 60, count: 0, lastN: 0 });
  // The node dies; its snapshot (every message) survives. The sender never heard back about 2 and 3.
  fence.fenced = true;
  await system.stop("k1");
  fence.fenced = false;
  const second = system.spawn<ShellMessage<CounterMsg, SumEvent>>("k2", shell);
  for (const seq of [2, 3, 4]) await second.tell(tell(seq * 10, "S", seq));
  await second.tell(tell(1000, "T", 1)); // another sender is independent
  assert.deepEqual(await second.ask({ type: "get" }), { sum: 1100, count: 0, lastN: 0 });
  // A duplicate ask is refused with DuplicateDelivery, not answered as if it ran.
  let reject!: (e: unknown) => void;
  const reply = new Promise((_, r) => (reject = r));
  await second.tell(new EntityEnvelope({ type: "message", message: { type: "get" }, from: { sender: "S", seq: 4 }, reply: { resolve: () => {}, reject } }));
  await assert.rejects(reply, DuplicateDelivery);
});

test("an entity that fails mid-stream restarts from its snapshot and refolds the log input not yet durable", async () => {
  const store = new MemorySnapshots();
  const frontier = new AckFrontier<LogInput<SumEvent>>();
  const progress = progressOver(frontier);
  let failOn: number | undefined = 5;
  class Flaky extends SumEntity {
    override receive(message: Parameters<SumEntity["receive"]>[0]): SumState | undefined {
      if (message instanceof LogInput && message.seq === failOn) {
        failOn = undefined;
        throw new Error("boom");
      }
      return super.receive(message);
    }
  }
  await using system = new ActorSystem({ name: "shell-restart" });
  const ref = system.spawn<ShellMessage<CounterMsg, SumEvent>>("k", () =>
    new EntityShell<CounterMsg, SumEvent>({ key: "k", entity: new Flaky(), store, progress, policy: { everyMessages: 3, everyMs: 60_000 }, fence: { fenced: false } }),
  );
  for (let seq = 1; seq <= 8; seq++) {
    const input = new LogInput(seq, `ev.0.k`, { n: seq });
    frontier.add(seq, "k", input);
    await ref.tell(new EntityEnvelope<CounterMsg, SumEvent>({ type: "log", input }));
  }
  const state = await waitFor(async () => {
    const s = (await ref.ask({ type: "get" })) as SumState;
    return s.count >= 8 ? s : undefined;
  });
  assert.deepEqual(state, { sum: 36, count: 8, lastN: 8 });
  // A redelivered message (ack_wait) is skipped by seq.
  await ref.tell(new EntityEnvelope<CounterMsg, SumEvent>({ type: "log", input: new LogInput(7, "ev.0.k", { n: 7 }) }));
  assert.deepEqual(await ref.ask({ type: "get" }), { sum: 36, count: 8, lastN: 8 });
  assert.ok(progress.acked.length > 0 && progress.acked.every((s, i, a) => i === 0 || s > a[i - 1]!), `acks ${progress.acked}`);
});

test("commands an entity calls read-only (queries, live ticks) leave it clean: an idle entity is not snapshotted again", async () => {
  const saves: StoredSnapshot[] = [];
  const store = new (class extends MemorySnapshots {
    override async save(key: string, snapshot: StoredSnapshot): Promise<void> {
      saves.push(snapshot);
      await super.save(key, snapshot);
    }
  })();
  class ReadOnlyGets extends SumEntity {
    changesState(command: unknown): boolean {
      return (command as CounterMsg).type !== "get";
    }
  }
  await using system = new ActorSystem({ name: "shell-clean" });
  const ref = system.spawn<ShellMessage<CounterMsg, SumEvent>>("k", () =>
    new EntityShell<CounterMsg, SumEvent>({ key: "k", entity: new ReadOnlyGets(), store, progress: undefined, policy: { everyMessages: 1000, everyMs: 10 }, fence: { fenced: false } }),
  );
  await ref.tell(tell(5));
  await waitFor(() => saves.length === 1, { what: "the snapshot of the add" });
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(await ref.ask({ type: "get" }), { sum: 5, count: 0, lastN: 0 });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // 20 gets over ~100 ms, 10 snapshot ticks or more: none of them saved the unchanged state.
  assert.equal(saves.length, 1, "gets made the entity dirty");
  await ref.tell(tell(1));
  await waitFor(() => saves.length === 2, { what: "the snapshot of the second add" });
  assert.equal((saves[1]!.state as { sum: number }).sum, 6);
});
