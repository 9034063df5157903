/**
 * nats.js 3.4 queues its socket write as a microtask when the first command lands in an empty
 * outbound buffer. A node sends from chains of awaits — an actor's effects, a publish per acked
 * batch, a consumer's acks — and a microtask runs as soon as the chain in front of it yields, so
 * one event-loop turn that handles a burst of messages wrote to the socket once per await, a few
 * commands each: at 1,000 symbols and 10,000 trades/s the node spent 1.0–1.2 s of about 11 s of
 * CPU in socket writes (`BENCH_NODE_PROFILE`, scale bench).
 *
 * `coalesceWrites` schedules that write with `setImmediate` instead: after the turn's I/O
 * callbacks and all their microtasks, so the turn's commands go out in one write. Nothing else
 * changes: a buffer past nats.js's pending limit (32 KiB) is still written at once, `flush()`
 * (a PING) still writes at once, and `close()` now writes what is buffered before it closes the
 * socket (a microtask would have run before close reached the socket; an immediate would not).
 * Imported for its effect by connect.ts, so every connection in the process gets it; applied once.
 */
import { ProtocolHandler } from "@nats-io/nats-core/internal";

interface ProtocolInternals {
  outbound: { length(): number; size(): number; fill(buf: Uint8Array, ...payloads: Uint8Array[]): void };
  pendingLimit: number;
  _closed: boolean;
  flushPending(): void;
}

const PATCHED = Symbol.for("tickhouse.nats.writeCoalesce");
const encoder = new TextEncoder();

/** nats.js's own sendCommand, as it was before the install (for the before/after bench, bench/nats-request.ts). */
export const natsSendCommand: unknown = (ProtocolHandler.prototype as unknown as Record<PropertyKey, unknown>).sendCommand;
const natsClose = (ProtocolHandler.prototype as unknown as { close: (this: unknown, err?: Error) => Promise<void> }).close;

function sendCommand(this: ProtocolInternals, cmd: string | Uint8Array, ...payloads: Uint8Array[]): void {
  const len = this.outbound.length();
  this.outbound.fill(typeof cmd === "string" ? encoder.encode(cmd) : cmd, ...payloads);
  if (len === 0) setImmediate(() => this.flushPending());
  else if (this.outbound.size() >= this.pendingLimit) this.flushPending();
}

function close(this: ProtocolInternals, err?: Error): Promise<void> {
  if (!this._closed) this.flushPending();
  return natsClose.call(this, err);
}

/** Installs the deferred write (idempotent). Returns whether this call installed it. */
export function coalesceWrites(): boolean {
  const proto = ProtocolHandler.prototype as unknown as Record<PropertyKey, unknown>;
  if (proto[PATCHED] === true) return false;
  for (const name of ["sendCommand", "close", "flushPending"]) {
    if (typeof proto[name] !== "function") throw new Error(`nats.js ProtocolHandler has no ${name}: the write-coalesce fix no longer fits this nats.js version`);
  }
  proto.sendCommand = sendCommand;
  proto.close = close;
  proto[PATCHED] = true;
  return true;
}

coalesceWrites();
