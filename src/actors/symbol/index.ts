/** Public surface of the SymbolActor: pure logic (transition, state) and the runtime shell. */
export type { SymbolMessage, SymbolEffect, LiveTick } from "./messages.js";
export { naivePredictor, type Predictor } from "../../ml/predictor.js";
export {
  createSymbolState,
  snapshotSymbolState,
  restoreSymbolState,
  statusOf,
  SymbolSnapshotError,
  type SymbolState,
  type SymbolSnapshot,
  type SymbolStatus,
  type SymbolCounters,
  type SymbolOptions,
} from "./state.js";
export { transition, type TransitionResult } from "./transition.js";
export { symbolActor, tradesMessage, DEFAULT_TICK_INTERVAL_MS, type SymbolSink, type SymbolActorOptions, type SymbolReply } from "./actor.js";
