/**
 * The parser seam: the client turns each text frame into a tagged result with this function.
 * The default is the shared Binance parser (src/market/binance.ts); tests or other exchanges can
 * pass their own with the same shape.
 */
import { parseBinanceFrame, type BinanceFrame } from "../market/binance.js";

export type ParsedFrame = BinanceFrame;
export type FrameParser = (frame: string, ingestTime: number) => ParsedFrame;

export const defaultFrameParser: FrameParser = parseBinanceFrame;
