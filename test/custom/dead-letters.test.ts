import { test } from "node:test";
import assert from "node:assert/strict";
import { DeadLetterQueue, type DeadLetter } from "../../src/custom/dead-letters.js";
import type { LogMessage } from "../../src/custom/route.js";
import { startNatsWithStreams } from "../helpers/nats-streams.js";

const letter = (index: number): DeadLetter => ({ kind: "dead-letter", reason: "invalid_record", message: "no price", source: "acme", index, raw: `{"n":${index}}` });
const from: LogMessage = { subject: "ingest.acme.market", seq: 7, data: new Uint8Array(), ingestTime: 1 };

test("DeadLetterQueue: a letter added while a publish is in flight is published by the next one, not dropped", async () => {
  await using nats = await startNatsWithStreams([{ name: "DLQ", subjects: ["dlq.>"] }]);
  const { js, jsm } = nats;
  const dlq = new DeadLetterQueue();
  dlq.add(letter(0), from);
  dlq.add(letter(1), from);
  const first = dlq.publish(js);
  dlq.add(letter(2), from); // arrives while the first two are on their way
  await first;
  assert.equal(dlq.size, 1, "the late letter waits for the next publish");
  await dlq.publish(js);
  assert.equal(dlq.size, 0);
  assert.equal((await jsm.streams.info("DLQ")).state.messages, 3);
});
