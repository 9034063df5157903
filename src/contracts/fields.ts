/** Schema pieces the window contracts share: a bar and a candle are both OHLCV over a span of trades. */
import { z } from "zod";

/** A finite number. */
export const num = z.number().finite();
/** A time or count: whole and non-negative. */
export const whole = z.number().int().nonnegative();

/** The prices and size of a span of trades. */
export const ohlcvFields = {
  open: num,
  high: num,
  low: num,
  close: num,
  volume: num,
  tradeCount: whole,
};
