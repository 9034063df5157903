/**
 * The web server's control services, found by the NATS connection the server was given. This
 * keeps the control router pluggable without widening the shared WebContext: whoever starts the
 * web server calls `startControlServices({ nc, ... })` with the same connection.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { ControlServices } from "./web-services.js";

const byConnection = new WeakMap<NatsConnection, ControlServices>();

export function registerControlServices(nc: NatsConnection, services: ControlServices): () => void {
  byConnection.set(nc, services);
  return () => {
    if (byConnection.get(nc) === services) byConnection.delete(nc);
  };
}

export function controlServicesFor(nc: NatsConnection): ControlServices | undefined {
  return byConnection.get(nc);
}
