/** A private nats-server with a client connection and the JetStream streams a test publishes to. */
import { connect, type ConnectionOptions, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { startNatsServer, type NatsServerHandle } from "./nats-server.js";

export interface ConnectedNats extends AsyncDisposable {
  readonly server: NatsServerHandle;
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/**
 * Starts a nats-server, connects to it (with `connectOptions`, e.g. reconnect settings) and adds
 * `streams` (name and subjects, the server's default file storage). `await using` closes the
 * connection, then stops the server.
 */
export async function startNatsWithStreams(streams: readonly { name: string; subjects: string[] }[], connectOptions: Omit<ConnectionOptions, "servers"> = {}): Promise<ConnectedNats> {
  const server = await startNatsServer();
  let nc: NatsConnection | undefined;
  try {
    nc = await connect({ ...connectOptions, servers: server.url });
    const jsm = await jetstreamManager(nc);
    for (const stream of streams) await jsm.streams.add(stream);
    const connected = nc;
    return {
      server,
      nc,
      js: jetstream(nc),
      jsm,
      async [Symbol.asyncDispose]() {
        try {
          await connected.close();
        } finally {
          await server[Symbol.asyncDispose]();
        }
      },
    };
  } catch (e) {
    await nc?.close();
    await server[Symbol.asyncDispose]();
    throw e;
  }
}
