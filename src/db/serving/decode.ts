/**
 * JSON messages on the log → serving rows. A silver message is the SilverBar contract's, in any
 * shape the log may still hold (src/contracts/silver-bar.ts upgrades the old ones). A candle
 * message is the Candle contract's (src/contracts/candle.ts): a market `Candle` with `intervalMs`
 * 60000 (or absent). Unknown extra fields are
 * ignored so producers can add fields without breaking this writer.
 */
import { InvalidSilverMessage, silverRowFromMessage, type SilverBarRow } from "../../contracts/silver-bar.js";
import { candle1mRowFromMessage, InvalidCandleMessage, type Candle1mRow } from "../../contracts/candle.js";

export class InvalidServingMessage extends Error {
  override readonly name = "InvalidServingMessage";
}

function parseJson(data: Uint8Array | string): unknown {
  const text = typeof data === "string" ? data : new TextDecoder().decode(data);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidServingMessage(`not JSON: ${(err as Error).message}`);
  }
}

/** A silver message of any shape the log may hold → its row (the upgrader is the contract's: src/contracts/silver-bar.ts). */
export function decodeSilverBar(data: Uint8Array | string): SilverBarRow {
  const json = parseJson(data);
  try {
    return silverRowFromMessage(json);
  } catch (err) {
    if (err instanceof InvalidSilverMessage) throw new InvalidServingMessage(`silver bar: ${err.message}`);
    throw err;
  }
}

/** A candle message → its `candles_1m` row (src/contracts/candle.ts). */
export function decodeCandle1m(data: Uint8Array | string): Candle1mRow {
  const json = parseJson(data);
  try {
    return candle1mRowFromMessage(json);
  } catch (err) {
    if (err instanceof InvalidCandleMessage) throw new InvalidServingMessage(`1m candle: ${err.message}`);
    throw err;
  }
}
