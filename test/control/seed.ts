/** Lake contents for the control tests: the clean BTCUSDT recording (bronze + silver), optionally with planted defects. */
import { Lake, LakeWriter, bronzeTradesDefinition, bronzeTradesMapping, silverBarsDefinition, silverBarsMapping } from "../../src/lake/index.js";
import { btcTrades, silverBarsOf } from "../quality/fixtures.js";

export const BTC = btcTrades();
export const BTC_NOW = Math.max(...BTC.map((t) => t.tradeTime)) + 1_000;

export async function seedBtc(lake: Lake, plant: { zeroPriceBars?: number[] } = {}): Promise<void> {
  const bars = silverBarsOf("BTCUSDT", BTC);
  for (const i of plant.zeroPriceBars ?? []) bars[i]!.close = 0;
  const bronze = new LakeWriter({ table: await lake.ensureTable(bronzeTradesDefinition), mapping: bronzeTradesMapping, appId: "seed-bronze" });
  bronze.add(BTC, 1);
  await bronze.flush();
  const silver = new LakeWriter({ table: await lake.ensureTable(silverBarsDefinition), mapping: silverBarsMapping, appId: "seed-silver" });
  silver.add(bars, 1);
  await silver.flush();
}
