import type { ItemKind, ItemResult } from "./codec.js";
import { RegionAskFailed, RegionAskOutcomeUnknown, RegionDeliveryFailed } from "./errors.js";
import type { Delivery } from "./codec.js";
import { assertNever } from "../../assert-never.js";

/**
 * What an owner's answer means to the sender of one message. `taken: false`: not taken (no
 * owner here, or an earlier message is missing), send again later. `taken: true`: never send it
 * again; the caller's promise settles with `value`/`error`, or later with `reply` (a local ask).
 */
export type Outcome =
  | { taken: false }
  | { taken: true; value?: unknown; error?: Error; reply?: Promise<unknown> };

interface Sent {
  key: string;
  kind: ItemKind;
}

const NOT_TAKEN: Outcome = { taken: false };

export function remoteOutcome(region: string, item: Sent, result: ItemResult): Outcome {
  switch (result.k) {
    case "ok":
      return { taken: true, value: result.v };
    case "dup":
      // A tell taken earlier is simply done; an ask needs its answer, which this reply lacks.
      return item.kind === "ask" ? { taken: true, error: new RegionAskOutcomeUnknown(region, item.key) } : { taken: true };
    case "dup-unknown":
      return { taken: true, error: new RegionAskOutcomeUnknown(region, item.key) };
    case "failed":
      return {
        taken: true,
        error: item.kind === "ask" ? new RegionAskFailed(region, item.key, result.e) : new RegionDeliveryFailed(region, item.key, result.e),
      };
    case "not-owner":
    case "gap":
      return NOT_TAKEN;
    default:
      return assertNever(result, "answer");
  }
}

export function localOutcome(region: string, item: Sent, delivery: Delivery): Outcome {
  switch (delivery.k) {
    case "accepted":
    case "duplicate":
      if (delivery.reply !== undefined) return { taken: true, reply: delivery.reply };
      return remoteOutcome(region, item, { k: delivery.k === "accepted" ? "ok" : "dup" });
    case "dup-unknown":
    case "not-owner":
    case "gap":
      return remoteOutcome(region, item, { k: delivery.k });
    case "failed":
      return remoteOutcome(region, item, { k: "failed", e: delivery.e });
    default:
      return assertNever(delivery, "answer");
  }
}
