/**
 * JSON messages on the log → serving rows. A silver message is the SilverBar contract's, in any
 * shape the log may still hold (src/contracts/silver-bar.ts upgrades the old ones). A candle
 * message is the Candle contract's (src/contracts/candle.ts): a market `Candle` with `intervalMs`
 * 60000 (or absent). Unknown extra fields are
 * ignored so producers can add fields without breaking this writer.
 */
import { InvalidContractMessage } from "../../contracts/errors.js";
import { silverRowFromMessage, type SilverBarRow } from "../../contracts/silver-bar.js";
import { candle1mRowFromMessage, type Candle1mRow } from "../../contracts/candle.js";

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

/** JSON → a row by a contract's reader; a contract error becomes an InvalidServingMessage saying what was read. */
function decodeWith<T>(what: string, data: Uint8Array | string, read: (json: unknown) => T): T {
  const json = parseJson(data);
  try {
    return read(json);
  } catch (err) {
    if (err instanceof InvalidContractMessage) throw new InvalidServingMessage(`${what}: ${err.message}`);
    throw err;
  }
}

/** A silver message of any shape the log may hold → its row (the upgrader is the contract's: src/contracts/silver-bar.ts). */
export function decodeSilverBar(data: Uint8Array | string): SilverBarRow {
  return decodeWith("silver bar", data, silverRowFromMessage);
}

/** A candle message → its `candles_1m` row (src/contracts/candle.ts). */
export function decodeCandle1m(data: Uint8Array | string): Candle1mRow {
  return decodeWith("1m candle", data, candle1mRowFromMessage);
}
