import type { NatsConnection } from "@nats-io/nats-core";
import { connectNats } from "../../src/runtime/nats/index.js";
import { closedInOrder } from "./dispose.js";

/** connectNats for `await using`: closed on dispose unless the test closed it already. */
export async function connectedNats(url: string, name: string): Promise<NatsConnection & AsyncDisposable> {
  const nc = await connectNats(url, name);
  return closedInOrder(nc, () => (nc.isClosed() ? undefined : nc.close()));
}
