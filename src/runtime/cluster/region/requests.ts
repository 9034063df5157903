import type { Msg, Subscription } from "@nats-io/nats-core";
import { type Codec, type ItemResult, decodeBatch, encodeResults } from "./codec.js";
import { errorText } from "./errors.js";
import type { Delivery, LocalItem } from "./codec.js";
import { assertNever } from "../../assert-never.js";

export interface RequestTarget<M> {
  deliver(sender: string, base: number, item: LocalItem<M>): Promise<Delivery>;
}

/**
 * The owner's side of `rt.region.<name>.<partition>`: one request at a time, in arrival order
 * (order is what admission relies on). Tells are answered once enqueued; a request holding an ask
 * is answered when the entity has answered, without holding up the next request.
 */
export async function serveRequests<M>(sub: Subscription, codec: Codec<M>, target: RequestTarget<M>): Promise<void> {
  for await (const msg of sub) await handleRequest(msg, codec, target);
}

async function handleRequest<M>(msg: Msg, codec: Codec<M>, target: RequestTarget<M>): Promise<void> {
  let results: (ItemResult | Promise<ItemResult>)[] = [];
  try {
    const batch = decodeBatch(msg.data);
    let blocked: ItemResult | undefined;
    for (const item of batch.items) {
      if (blocked !== undefined) {
        results.push(blocked);
        continue;
      }
      let message: M;
      try {
        message = codec.decode(item.payload);
      } catch (err) {
        results.push({ k: "failed", e: `decode: ${errorText(err)}` });
        continue;
      }
      const delivery = await target.deliver(batch.sender, batch.base, { seq: item.seq, key: item.key, kind: item.kind, message });
      const result = toResult(delivery);
      if (result instanceof Promise || (result.k !== "not-owner" && result.k !== "gap")) results.push(result);
      else {
        blocked = result.k === "gap" ? result : { k: "not-owner" };
        results.push(blocked);
      }
    }
  } catch (err) {
    results = [{ k: "failed", e: errorText(err) }];
  }
  if (results.some((r) => r instanceof Promise)) {
    void Promise.all(results).then((settled) => respond(msg, settled));
  } else {
    respond(msg, results as ItemResult[]);
  }
}

function toResult(delivery: Delivery): ItemResult | Promise<ItemResult> {
  switch (delivery.k) {
    case "accepted":
    case "duplicate":
      if (delivery.reply === undefined) return delivery.k === "accepted" ? { k: "ok" } : { k: "dup" };
      return delivery.reply.then(
        (v): ItemResult => (v === undefined ? { k: "ok" } : { k: "ok", v }),
        (e: unknown): ItemResult => ({ k: "failed", e: errorText(e) }),
      );
    case "dup-unknown":
    case "not-owner":
    case "gap":
      return { k: delivery.k };
    case "failed":
      return { k: "failed", e: delivery.e };
    default:
      return assertNever(delivery, "delivery");
  }
}

function respond(msg: Msg, results: ItemResult[]): void {
  try {
    msg.respond(encodeResults(results));
  } catch {
    // The connection is closing; the sender times out and resends.
  }
}
