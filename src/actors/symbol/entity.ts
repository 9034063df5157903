/**
 * The SymbolActor as a sharded entity: the region feeds it trade batches from its partition's
 * durable consumer (LogInput, in log order) and plain messages sent with `region.tell`; it
 * snapshots its whole state so a new owner resumes exactly where the old one's snapshot ends.
 */
import type { Actor, ActorContext } from "../../runtime/actor/types.js";
import type { SnapshottingEntity } from "../../runtime/cluster/snapshots/snapshot-store.js";
import { isLogInput, type EntityFactory, type EntityInput } from "../../runtime/cluster/region/entity.js";
import type { Codec } from "../../runtime/cluster/region/codec.js";
import type { WindowOptions } from "../../market/windows.js";
import { decodeTradeLogEntry, encodeLogMark, encodeTradeBatch, type TradeLogEntry } from "../../ingest/batch-codec.js";
import { applyEffects, DEFAULT_TICK_INTERVAL_MS, type SymbolSink } from "./actor.js";
import type { SymbolMessage } from "./messages.js";
import type { Predictor } from "../../ml/predictor.js";
import { createSymbolState, restoreSymbolState, snapshotSymbolState, type SymbolState } from "./state.js";
import { transition } from "./transition.js";

/** Trade batches and marks on the log (md.trades.<partition>.<SYMBOL>), decoded once per message. */
export const tradeBatchCodec: Codec<TradeLogEntry> = {
  encode: (entry) => (entry.mark === null ? encodeTradeBatch(entry.trades) : encodeLogMark(entry.mark)),
  decode: decodeTradeLogEntry,
};

/** What the region may tell a symbol entity (log input arrives separately). */
export type SymbolCommand = Extract<SymbolMessage, { type: "status" | "snapshot" | "tick" }> | { type: "model-changed"; predictor: Predictor };

export interface SymbolEntityOptions {
  sink: SymbolSink;
  /** The champion for a symbol right now (naive until one is promoted). */
  predictorFor(symbol: string): Predictor;
  windows?: Partial<WindowOptions>;
  candleIntervalMs?: number;
  tickIntervalMs?: number;
  /** Called when an entity starts and stops, so champion changes reach live entities. */
  onLive?(symbol: string, entity: { tell(message: SymbolCommand): void } | undefined): void;
}

export function symbolEntity(options: SymbolEntityOptions): EntityFactory<SymbolCommand, TradeLogEntry> {
  return (symbol) => {
    let state: SymbolState | undefined;
    let restored: unknown;
    const entity: Actor<EntityInput<SymbolCommand, TradeLogEntry>> & SnapshottingEntity = {
      restore(snapshot) {
        restored = snapshot;
      },
      snapshot() {
        return snapshotSymbolState(state!);
      },
      // Queries change nothing. A tick only publishes the live tick of trades that already made
      // the entity dirty (its own counters are live-only: a restore may repeat one tick), so an
      // idle symbol is not snapshotted every second for its 250 ms ticks.
      changesState: (command) => (command as SymbolCommand).type === "model-changed",
      preStart(ctx: ActorContext<EntityInput<SymbolCommand, TradeLogEntry>>) {
        const predictor = options.predictorFor(symbol);
        state =
          restored === undefined
            ? createSymbolState(symbol, { windows: options.windows, candleIntervalMs: options.candleIntervalMs }, predictor)
            : restoreSymbolState(restored, predictor);
        const period = options.tickIntervalMs ?? DEFAULT_TICK_INTERVAL_MS;
        if (period > 0) ctx.timers.startPeriodic("tick", { type: "tick" }, period);
        options.onLive?.(symbol, { tell: (m) => void ctx.self.tell(m).catch(() => {}) });
      },
      postStop() {
        options.onLive?.(symbol, undefined);
      },
      receive(input, ctx) {
        const message: SymbolMessage = isLogInput(input) ? { type: "trades", seq: input.seq, trades: input.data.trades, mark: input.data.mark } : input;
        const { effects } = transition(state!, message, ctx.clock.now());
        return applyEffects(effects, options.sink);
      },
    };
    return entity;
  };
}
