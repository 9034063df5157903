/**
 * The SymbolActor shell: mailbox + timer around the pure `transition`. It carries out effects
 * through a sink (NATS publishers in production, arrays in tests) and answers `status` and
 * `snapshot` asks. Persisting snapshots to KV and acking the log is the caller's policy.
 */
import type { Actor, ActorContext, ActorFactory } from "../../runtime/actor/types.js";
import type { Trade } from "../../market/trade.js";
import type { Candle } from "../../market/candles.js";
import type { WindowOptions } from "../../market/windows.js";
import type { LiveTick, SymbolEffect, SymbolMessage } from "./messages.js";
import type { SilverBar } from "../../contracts/silver-bar.js";
import { naivePredictor, type Predictor } from "../../ml/predictor.js";
import { createSymbolState, restoreSymbolState, type SymbolSnapshot, type SymbolState, type SymbolStatus } from "./state.js";
import { transition } from "./transition.js";
import { assertNever } from "../../runtime/assert-never.js";

/** Where effects go. Awaited in order, so a slow sink slows the actor (backpressure), never reorders. */
export interface SymbolSink {
  publishBar(bar: SilverBar): void | Promise<void>;
  publishCandle(candle: Candle): void | Promise<void>;
  publishTick(tick: LiveTick): void | Promise<void>;
  /** Late trades, id gaps, model swaps and prediction failures, for logs and the dashboard. */
  report?(event: Exclude<SymbolEffect, { type: "publish-bar" | "publish-candle" | "publish-tick" | "reply-status" | "reply-snapshot" }>): void | Promise<void>;
}

export interface SymbolActorOptions {
  symbol: string;
  sink: SymbolSink;
  windows?: Partial<WindowOptions>;
  candleIntervalMs?: number;
  /** Model at start (or after restore). Default: the naive forecast. */
  predictor?: Predictor;
  /** Resume from this snapshot instead of an empty state (read once per actor start). */
  restoreFrom?: () => SymbolSnapshot | null;
  /** Live tick period (ms). Default 250. 0 disables ticks. */
  tickIntervalMs?: number;
}

export type SymbolReply = SymbolStatus | SymbolSnapshot | undefined;

export const DEFAULT_TICK_INTERVAL_MS = 250;

export function symbolActor(options: SymbolActorOptions): ActorFactory<SymbolMessage, SymbolReply> {
  return () => {
    let state: SymbolState;
    const actor: Actor<SymbolMessage, SymbolReply> = {
      preStart(ctx: ActorContext<SymbolMessage>) {
        const predictor = options.predictor ?? naivePredictor;
        const snapshot = options.restoreFrom?.() ?? null;
        state = snapshot === null ? createSymbolState(options.symbol, { windows: options.windows, candleIntervalMs: options.candleIntervalMs }, predictor) : restoreSymbolState(snapshot, predictor);
        const period = options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
        if (period > 0) ctx.timers.startPeriodic("tick", { type: "tick" }, period);
      },
      receive(message, ctx) {
        const { effects } = transition(state, message, ctx.clock.now());
        return applyEffects(effects, options.sink);
      },
    };
    return actor;
  };
}

/** Carries out a transition's effects through the sink, in order; returns the reply effect's value. */
export async function applyEffects(effects: readonly SymbolEffect[], sink: SymbolSink): Promise<SymbolReply> {
  let reply: SymbolReply;
  for (const e of effects) {
    switch (e.type) {
      case "publish-bar":
        await sink.publishBar(e.bar);
        break;
      case "publish-candle":
        await sink.publishCandle(e.candle);
        break;
      case "publish-tick":
        await sink.publishTick(e.tick);
        break;
      case "reply-status":
        reply = e.status;
        break;
      case "reply-snapshot":
        reply = e.snapshot;
        break;
      case "late-trade":
      case "invalid-trade":
      case "trade-gap":
      case "prediction-failed":
      case "model-swapped":
        await sink.report?.(e);
        break;
      default:
        assertNever(e);
    }
  }
  return reply;
}

/** Convenience for callers holding single trades: one `trades` message. */
export function tradesMessage(seq: number, trades: readonly Trade[]): SymbolMessage {
  return { type: "trades", seq, trades };
}
