/**
 * The exchange feed as Prometheus metrics, read from the ingest component's last status (it is
 * refreshed every second) when `/metrics` is scraped: is the feed connected, how often it
 * reconnected, the trade-id gaps it found and what filled them, what waits in the spool on disk.
 * Every series carries the feed's `source`, so a node that does not ingest has none (rather than a
 * 0 that would read as "disconnected"). Counters come from the ingest actor's own counts; they
 * restart at 0 with it, which Prometheus reads as a counter reset.
 */
import { Counter, Gauge, type Registry } from "prom-client";
import type { ClientStatus } from "../ingest/client-types.js";
import type { PublisherStatus } from "../ingest/publisher-types.js";

export interface IngestSnapshot {
  source: string;
  client?: ClientStatus;
  publisher?: PublisherStatus;
}

export type IngestStatusSource = () => IngestSnapshot | undefined;

type Read = (s: IngestSnapshot) => number | undefined;

export function registerIngestMetrics(registry: Registry, status: IngestStatusSource): void {
  const registers = [registry];
  const labelNames = ["source"] as const;
  /** The series for this scrape: none without a status or without that figure in it. */
  const sample = (read: Read): { labels: { source: string }; value: number } | undefined => {
    const s = status();
    const value = s && read(s);
    return s && value !== undefined ? { labels: { source: s.source }, value } : undefined;
  };
  const gauge = (name: string, help: string, read: Read) =>
    new Gauge({ name, help, labelNames, registers, collect() {
      this.reset();
      const x = sample(read);
      if (x) this.set(x.labels, x.value);
    } });
  const counter = (name: string, help: string, read: Read) =>
    new Counter({ name, help, labelNames, registers, collect() {
      this.reset();
      const x = sample(read);
      if (x) this.inc(x.labels, x.value);
    } });

  gauge("ingest_connection_up", "1 while the exchange feed is connected, 0 while it is starting or failing", (s) => {
    const h = s.client?.health;
    return h === undefined ? undefined : h.state === "connected" ? 1 : 0;
  });
  gauge("ingest_connection_failed_attempts", "Connection attempts failed since the feed last connected (0 when connected)", (s) => {
    const h = s.client?.health;
    return h === undefined ? undefined : h.state === "failing" ? h.failedAttempts : 0;
  });
  counter("ingest_reconnects_total", "Reconnections of the exchange feed's connections", (s) => s.client?.reconnects);
  counter("ingest_trades_received_total", "Trades received from the exchange feed", (s) => s.client?.trades);
  counter("ingest_trades_published_total", "Trades acknowledged by the TRADES log", (s) => s.publisher?.published);
  counter("ingest_trade_gaps_total", "Trade-id gaps found in the feed", (s) => s.publisher?.gaps);
  counter("ingest_trades_backfilled_total", "Trades of gaps filled from the exchange's REST history", (s) => s.publisher?.backfilled);
  counter("ingest_catch_ups_total", "Catch-ups from the exchange's REST history after takeovers nobody answered (a quiet symbol's previous reader may have died after its last trade)", (s) => s.publisher?.catchUps);
  counter("ingest_catch_ups_moot_total", "Catch-ups a live trade made moot before their answer: aborted, no REST turn used after it (the gap path fills any hole before that trade)", (s) => s.publisher?.catchUpsMoot);
  counter("ingest_trades_missing_total", "Trades of gaps that neither the log nor the exchange's history could fill", (s) => s.publisher?.missingTrades);
  counter("ingest_idle_marks_total", "Idle watermarks logged for quiet symbols (IDLE_TIMEOUT): each closes the symbol's due windows", (s) => s.publisher?.idleMarks);
  counter("ingest_publish_failures_total", "Batch publishes to the log that failed (retried or spooled)", (s) => s.publisher?.publishFailures);
  gauge("ingest_spool_bytes", "Bytes of trade batches spooled on disk, waiting for the log", (s) => s.publisher?.spool.bytes);
  gauge("ingest_spool_records", "Trade batches spooled on disk, waiting for the log", (s) => s.publisher?.spool.records);
  gauge("ingest_trades_held", "Trades held while their symbol's mark is read, a gap is filled or a takeover settles", (s) => s.publisher?.held);
  gauge("ingest_batches_queued", "Trade batches queued for the log", (s) => s.publisher?.queuedBatches);
}
