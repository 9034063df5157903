import type { NatsConnection } from "@nats-io/nats-core";

/** Counts a connection's socket writes (nats.js's transport `send`) until `restore()`. */
export function countSocketWrites(nc: NatsConnection): { readonly count: number; reset(): void; restore(): void } {
  const transport = (nc as unknown as { protocol: { transport: { send(b: Uint8Array): void } } }).protocol.transport;
  const send = transport.send;
  let count = 0;
  transport.send = function (b: Uint8Array) {
    count++;
    return send.call(this, b);
  };
  return {
    get count() {
      return count;
    },
    reset: () => void (count = 0),
    restore: () => void (transport.send = send),
  };
}
