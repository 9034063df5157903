/**
 * Publishing an audit record. A refused record's text is whatever the caller sent (up to 25 KB
 * through the web), so it is clipped here, before it reaches the log, with the same bounds the
 * audit writer applies when it stores it; a record of a command that ran goes out whole.
 *
 * A record is published to JetStream and waits for the AUDIT stream's acknowledgement: a core
 * publish while the stream was missing or its leader away lost the record without a word. Each
 * record gets a message id, kept across its retries, so a retry after a lost ack is dropped by
 * the stream's duplicate window (2 minutes) rather than stored twice. After the last retry a
 * record is given up: an ERROR line names it (its caller, on whose behalf and key id as local-only
 * fields, kept out of the forwarded log) and `auditPublishStats.lost` counts it (the node's
 * metric `admin_audit_records_lost_total`). The command's reply never waits for any of this.
 */
import { randomUUID } from "node:crypto";
import { jetstream, type JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { clip, clipArgs, REFUSAL_TEXT } from "./audit-bounds.js";
import { auditSubject, type AuditRecord } from "./protocol.js";

/** Pure: the record as it may travel; a refusal's caller-controlled fields cut to REFUSAL_TEXT. */
export function boundedAuditRecord(record: AuditRecord): AuditRecord {
  if (record.result !== "rejected") return record;
  const { argv, argc } = clipArgs(Array.isArray(record.args) ? record.args : [], REFUSAL_TEXT);
  const total = Math.max(argc, record.argc ?? 0);
  const b = REFUSAL_TEXT;
  return {
    at: record.at,
    nodeId: clip(record.nodeId, b.node),
    caller: clip(String(record.caller), b.caller),
    ...(record.onBehalfOf !== undefined ? { onBehalfOf: clip(String(record.onBehalfOf), b.onBehalfOf) } : {}),
    ...(record.keyId !== undefined ? { keyId: clip(String(record.keyId), b.keyId) } : {}),
    command: clip(record.command, b.command),
    args: argv,
    ...(total > argv.length ? { argc: total } : {}),
    result: record.result,
    ...(record.detail !== undefined ? { detail: clip(String(record.detail), b.detail) } : {}),
  };
}

const encoder = new TextEncoder();

/** Records of this process: stored (acknowledged), retried attempts, lost after every retry. Read by the node's metrics. */
export const auditPublishStats = { stored: 0, retries: 0, lost: 0 };

export interface AuditPublisherOptions {
  /** Where a lost record is reported (the node's logger); default one JSON line on stderr. */
  log?: { error(message: string, fields?: Record<string, unknown>): void };
  /** Waits before each retry; one attempt more than delays. Default 250 ms, 1 s, 4 s. */
  retryDelaysMs?: readonly number[];
  /** How long an attempt waits for the stream's acknowledgement. Default 2 s. */
  ackTimeoutMs?: number;
  /** The JetStream client (default `jetstream(nc)`); a test wraps it to lose an acknowledgement. */
  js?: Pick<JetStreamClient, "publish">;
}

const stderrLog = {
  error: (message: string, fields?: Record<string, unknown>) => process.stderr.write(JSON.stringify({ at: new Date().toISOString(), level: "error", message, ...fields }) + "\n"),
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Publishes audit records on audit.admin.<result> with JetStream acknowledgement, retries and a message id (see above). */
export class AuditPublisher {
  readonly #nc: Pick<NatsConnection, "isClosed">;
  readonly #js: Pick<JetStreamClient, "publish">;
  readonly #log: NonNullable<AuditPublisherOptions["log"]>;
  readonly #delays: readonly number[];
  readonly #ackTimeoutMs: number;

  constructor(nc: NatsConnection, o: AuditPublisherOptions = {}) {
    this.#nc = nc;
    this.#js = o.js ?? jetstream(nc);
    this.#log = o.log ?? stderrLog;
    this.#delays = o.retryDelaysMs ?? [250, 1000, 4000];
    this.#ackTimeoutMs = o.ackTimeoutMs ?? 2000;
  }

  /**
   * Publishes in the background: callers do not await it (a command's reply must not wait for
   * the audit trail). Resolves true once stored (or known as a duplicate), false when lost; never rejects.
   */
  publish(record: AuditRecord): Promise<boolean> {
    const bounded = boundedAuditRecord(record);
    const data = encoder.encode(JSON.stringify(bounded));
    const msgID = randomUUID();
    return this.#attempts(auditSubject(bounded.result), data, msgID, bounded);
  }

  async #attempts(subject: string, data: Uint8Array, msgID: string, record: AuditRecord): Promise<boolean> {
    let lastError = "";
    for (let attempt = 0; attempt <= this.#delays.length; attempt++) {
      if (attempt > 0) {
        if (this.#nc.isClosed()) break;
        auditPublishStats.retries += 1;
        await sleep(this.#delays[attempt - 1]!);
      }
      try {
        await this.#js.publish(subject, data, { msgID, timeout: this.#ackTimeoutMs });
        auditPublishStats.stored += 1;
        return true;
      } catch (err) {
        lastError = (err as Error).message;
      }
    }
    auditPublishStats.lost += 1;
    // Who and for whom stay in this node's own output (localOnly): the forwarded log is readable by viewers.
    this.#log.error(`audit record LOST: ${record.command} (${record.result}) on ${record.nodeId} at ${record.at} was not stored in the AUDIT stream: ${lastError}`, {
      command: record.command,
      result: record.result,
      nodeId: record.nodeId,
      at: record.at,
      msgID,
      localOnly: {
        caller: record.caller,
        ...(record.onBehalfOf !== undefined ? { onBehalfOf: record.onBehalfOf } : {}),
        ...(record.keyId !== undefined ? { keyId: record.keyId } : {}),
      },
    });
    return false;
  }
}
