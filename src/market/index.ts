/** Public surface of src/market: pure market logic (parsing, windows, features, candles). */
export type { Trade } from "./trade.js";
export type { Bar } from "./bar.js";
export {
  parseBinanceFrame,
  BINANCE_SOURCE,
  type BinanceFrame,
  type BinanceControl,
  type InvalidReason,
  type InvalidCode,
} from "./binance.js";
export { parseBinanceTradesCsvLine, type CsvTradeLine, type CsvTradeContext } from "./binance-csv.js";
export { parseUnsignedDecimal, toMillis } from "./decimal.js";
export {
  createWindows,
  addTrade,
  advanceWatermark,
  flushWindows,
  isLate,
  snapshotWindows,
  restoreWindows,
  DEFAULT_WINDOW_OPTIONS,
  WindowOptionsError,
  WindowSnapshotError,
  type WindowOptions,
  type WindowState,
  type AddTradeResult,
} from "./windows.js";
export {
  features,
  featuresAt,
  featuresFromBars,
  featureVector,
  featureMatrix,
  nextBarLabel,
  FEATURE_NAMES,
  FEATURE_WARMUP_BARS,
  type Features,
  type FeatureName,
  type FeatureBar,
  type FeatureMatrix,
} from "./features.js";
export {
  createCandles,
  addTradeToCandles,
  advanceCandleWatermark,
  flushCandles,
  currentCandle,
  snapshotCandles,
  restoreCandles,
  DEFAULT_CANDLE_OPTIONS,
  CandleOptionsError,
  CandleSnapshotError,
  type Candle,
  type CandleOptions,
  type CandleState,
} from "./candles.js";
