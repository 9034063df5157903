/**
 * The IngestActor owns one Ingestor (Binance stream client + trade log publisher). Starting it
 * connects; a failure to start (NATS down at boot, bad URL) throws from preStart, so the parent's
 * strategy restarts it with backoff. Stopping it stops reading first, then flushes or spools.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Actor } from "../../runtime/actor/types.js";
import { Ingestor, type IngestorOptions } from "../../ingest/ingestor.js";
import { eventSubject } from "../../runtime/nats/spec.js";
import type { PublisherStatus } from "../../ingest/publisher-types.js";
import type { IngestMessage } from "./messages.js";
import { assertNever } from "../../runtime/assert-never.js";

export interface IngestActorHooks {
  /** On stop, how long to wait for the log before spooling what is still in memory (ms; asked at stop). Default 10 s. */
  closeTimeoutMs?: () => number;
  /** Told the publisher's final figures once it closed (what was published, what went to the spool). */
  onClosed?: (status: PublisherStatus) => void;
}

/** `options` may be a function, asked at each (re)start: a restarted connection reads what the node reads now. */
export function ingestActor(nc: NatsConnection, optionsNow: IngestorOptions | (() => IngestorOptions), hooks: IngestActorHooks = {}): () => Actor<IngestMessage, unknown> {
  return () => {
    const options = typeof optionsNow === "function" ? optionsNow() : optionsNow;
    const source = options.client.source ?? "binance";
    let ingestor: Ingestor | undefined;
    let paused = false;
    return {
      async preStart() {
        ingestor = await Ingestor.start(nc, options);
        // Exchange gaps go to the EVENTS stream, so `admin verify` can tell them from trades we lost.
        const encoder = new TextEncoder();
        ingestor.publisher.gaps.add((gap) => nc.publish(eventSubject("ingest", "gap", gap.symbol), encoder.encode(JSON.stringify(gap))));
      },
      async postStop() {
        if (!ingestor) return;
        await ingestor.close(hooks.closeTimeoutMs?.());
        hooks.onClosed?.(ingestor.publisher.status());
      },
      async receive(message) {
        const it = ingestor!;
        switch (message.type) {
          case "status":
            return { paused, client: it.client.status(), publisher: it.publisher.status({ symbols: message.symbols ?? [] }) };
          case "subscribe":
            await it.client.subscribe(message.symbols);
            return it.client.status();
          case "adopt":
            it.publisher.hold(source, message.symbols);
            await it.client.subscribe(message.symbols);
            return it.client.status();
          // "live" and "flush" answer with a promise in a box: the actor stays free while they wait.
          case "live":
            return { live: it.client.whenLive(message.symbols, message.withinMs) };
          case "settle":
            await it.publisher.adopt(source, message.symbols, { catchUp: !message.previousFlushed });
            return undefined;
          case "flush":
            return { logged: it.publisher.flushSymbols(source, message.symbols) };
          case "unsubscribe":
            await it.client.unsubscribe(message.symbols);
            return it.client.status();
          case "pause":
            paused = true;
            it.client.pause();
            return { paused };
          case "resume":
            paused = false;
            it.client.resume();
            return { paused };
          default:
            return assertNever(message, "ingest message");
        }
      },
    };
  };
}
