/** A CustomRouter in its own process, for the SIGKILL test: `tsx router-child.ts <natsUrl> <dir>`. */
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { CustomRouter } from "../../src/custom/index.js";
import { Lake } from "../../src/lake/index.js";
import { TradeLogPublisher, silentLogger } from "../../src/ingest/index.js";

const [url, dir] = process.argv.slice(2) as [string, string];
const nc = await connect({ servers: url });
const publisher = await TradeLogPublisher.start(nc, { spoolDir: join(dir, "spool"), log: silentLogger, lingerMs: 5 });
// Small fetches and frequent commits: many commit/ack boundaries for the kills to land between.
const router = await CustomRouter.start(nc, {
  lake: Lake.open(join(dir, "lake")),
  publisher,
  batchSize: 7,
  maxAgeMs: 10,
  onCommit: (_flushes, seq) => process.stdout.write(`acked ${seq}\n`),
});
process.stdout.write("started\n");
process.once("SIGTERM", () => {
  void router.close().then(() => publisher.close()).then(() => nc.close()).then(() => process.exit(0));
});
