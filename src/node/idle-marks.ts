/** The publishers' idle-watermark settings from the node's configuration (IDLE_TIMEOUT). */
import type { Config } from "../config/index.js";
import { idleClosePoints, idleHorizonMs, type IdleMarkOptions } from "../ingest/idle-marks.js";
import { DEFAULT_CANDLE_OPTIONS } from "../market/candles.js";

export function idleMarksOf(config: Pick<Config, "idleTimeoutMs" | "windowSizeMs" | "windowSlideMs" | "allowedLatenessMs">): IdleMarkOptions | undefined {
  if (!(config.idleTimeoutMs > 0)) return undefined;
  const geometry = { windowSizeMs: config.windowSizeMs, windowSlideMs: config.windowSlideMs, candleIntervalMs: DEFAULT_CANDLE_OPTIONS.intervalMs, allowedLatenessMs: config.allowedLatenessMs };
  return { afterMs: config.idleTimeoutMs, horizonMs: idleHorizonMs(geometry), nextClose: idleClosePoints(geometry) };
}
