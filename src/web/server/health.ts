/** `/healthz`: is NATS connected, is the database reachable (when there is one). */
import type { NatsConnection } from "@nats-io/nats-core";
import type { Database } from "../../db/database.js";

export interface Health {
  ok: boolean;
  nats: { connected: boolean; server: string | null };
  db: { configured: boolean; reachable: boolean | null; error: string | null };
}

async function probeDb(db: Database, timeoutMs: number): Promise<{ reachable: boolean; error: string | null }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
  try {
    await Promise.race([db.query("SELECT 1"), timeout]);
    return { reachable: true, error: null };
  } catch (err) {
    return { reachable: false, error: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(nc: NatsConnection, natsConnected: () => boolean, db: Database | undefined, timeoutMs = 2000): Promise<Health> {
  const connected = natsConnected();
  const dbState = db === undefined ? { configured: false, reachable: null, error: null } : { configured: true, ...(await probeDb(db, timeoutMs)) };
  return {
    ok: connected && dbState.reachable !== false,
    nats: { connected, server: connected ? nc.getServer() : null },
    db: dbState,
  };
}

/** Tracks the connection's state from its status events (closed is final). */
export function trackNatsConnected(nc: NatsConnection): () => boolean {
  let connected = !nc.isClosed();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") connected = false;
      else if (s.type === "reconnect") connected = true;
    }
  })().catch(() => undefined);
  void nc.closed().then(() => (connected = false));
  return () => connected && !nc.isClosed();
}
