/**
 * What the MLOps layer reports, as plain data the dashboard shows as is. Published on
 * `events.mlops.<type>` (the EVENTS stream keeps `events.>`).
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { eventSubject } from "../runtime/nats/spec.js";
import type { Metrics } from "../ml/index.js";
import type { TrainingEvent } from "../ml/pool/index.js";
import type { PromotionDecision } from "../ml/index.js";
import type { LiveReview } from "../ml/demotion.js";

export type WatcherMode = "hunt" | "patrol";
export type TrainingTrigger = "hunt" | "patrol" | "admin";

export type MlopsEvent =
  | { type: "training-started"; symbol: string; trigger: TrainingTrigger; rows: number; at: number }
  | { type: "run-completed"; symbol: string; runId: string; algorithm: string; metrics: Metrics; at: number }
  | { type: "run-failed"; symbol: string; runId: string; algorithm: string; error: string; at: number }
  | { type: "promoted"; symbol: string; version: string; kind: string; previous: string | null; reason: string; rmse: number; skill: number; at: number }
  | { type: "not-promoted"; symbol: string; best: { algorithm: string; rmse: number; skill: number; decision: PromotionDecision } | null; champion: string | null; reason: string; at: number }
  | { type: "rolled-back"; symbol: string; from: string; to: string; at: number }
  /** Every round's look at the live champion (routine: debug in the log). */
  | { type: "champion-reviewed"; symbol: string; version: string; review: LiveReview; at: number }
  /** The champion did significantly worse than naive on its live bars: naive serves now. */
  | { type: "demoted"; symbol: string; from: string; to: string; reason: string; review: LiveReview; at: number }
  | { type: "training-failed"; symbol: string; trigger: TrainingTrigger; error: string; at: number }
  | { type: "mode-changed"; symbol: string; from: WatcherMode; to: WatcherMode; at: number }
  | { type: "warning"; symbol: string; message: string; at: number }
  | { type: "pool"; event: TrainingEvent };

export type MlopsEventSink = (event: MlopsEvent) => void;

/**
 * The node-log level of an event. Every event is published for the MLOps page; the log keeps
 * decisions (promotions, rollbacks) and failures, while the routine per-symbol steps of a round
 * go to debug: at 1,000 symbols a hunt round that trains them all would otherwise write several
 * thousand lines (each forwarded over NATS) beside its one summary line.
 */
export function eventLogLevel(event: MlopsEvent): "debug" | "info" | "warn" {
  switch (event.type) {
    case "training-failed":
    case "run-failed":
    case "warning":
    case "demoted":
      return "warn";
    case "promoted":
    case "rolled-back":
      return "info";
    case "training-started":
    case "run-completed":
    case "not-promoted":
    case "champion-reviewed":
    case "mode-changed":
    case "pool":
      return "debug";
  }
}

export function mlopsEventSubject(event: MlopsEvent): string {
  return eventSubject("mlops", event.type);
}

/** Publishes each event on core NATS (fire and forget; the EVENTS stream stores it). */
export function natsEventSink(nc: NatsConnection, onError: (err: unknown) => void = () => {}): MlopsEventSink {
  const encoder = new TextEncoder();
  return (event) => {
    try {
      nc.publish(mlopsEventSubject(event), encoder.encode(JSON.stringify(event)));
    } catch (err) {
      onError(err);
    }
  };
}

/** Fans one event out to several sinks; a throwing sink does not stop the others. */
export function fanOut(...sinks: MlopsEventSink[]): MlopsEventSink {
  return (event) => {
    for (const sink of sinks) {
      try {
        sink(event);
      } catch {
        // reporting must never break training
      }
    }
  };
}
