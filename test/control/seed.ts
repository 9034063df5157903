/** Lake contents for the control tests: the clean BTCUSDT recording (bronze + silver), optionally with planted defects. */
import type { Lake } from "../../src/lake/index.js";
import { btcTrades, silverBarsOf, writeBronzeAndSilver } from "../quality/fixtures.js";

export const BTC = btcTrades();
export const BTC_NOW = Math.max(...BTC.map((t) => t.tradeTime)) + 1_000;

export async function seedBtc(lake: Lake, plant: { zeroPriceBars?: number[] } = {}): Promise<void> {
  const bars = silverBarsOf("BTCUSDT", BTC);
  for (const i of plant.zeroPriceBars ?? []) bars[i]!.close = 0;
  await writeBronzeAndSilver(lake, BTC, bars, "seed");
}
