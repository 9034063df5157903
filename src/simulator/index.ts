/** Binance-compatible market simulator (WebSocket server) with replay and synthetic sources. */
export { MarketSimulator, type SimulatorOptions, type SimulatorStats } from "./server.js";
export { ReplaySource } from "./replay-source.js";
export { SyntheticSource, defaultSymbols, binanceDecimal, type SyntheticOptions } from "./synthetic-source.js";
export { seededRandom } from "../runtime/random.js";
export { parseSpeed, type MarketSource, type SimEvent, type Speed } from "./source.js";
export { parseStreamPath, handleControl, wrapCombined, type StreamPath, type ControlOutcome } from "./protocol.js";
export { TradeHistory, type TradeHistoryOptions } from "./trade-history.js";
export { RestWeightBudget, handleRestRequest, restTradeRow, decimalProduct, TRADES_WEIGHT, type RestBackend } from "./rest-api.js";
