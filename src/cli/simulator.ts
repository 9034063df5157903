/**
 * npm run simulator -- [--replay <file.jsonl>] [--speed N|max] [--symbols 10|BTCUSDT,ETHUSDT]
 *   [--rate 1000|max] [--total N] [--port 9443] [--host 127.0.0.1] [--ping-ms 20000] [--lifetime-ms 86400000]
 *   [--start first|all|now]
 * A Binance-compatible market on ws://host:port/stream?streams=… (synthetic market by default).
 * Hooks: POST /sim/control?action=shutdown|drop|silent|gap&count=N|inject (body = frame); GET /sim/stats.
 */
import { MarketSimulator } from "../simulator/server.js";
import { ReplaySource } from "../simulator/replay-source.js";
import { parseSpeed, type MarketSource } from "../simulator/source.js";
import { SyntheticSource } from "../simulator/synthetic-source.js";
import { parseArgs } from "./args.js";

function num(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got "${v}"`);
  return n;
}

async function main(): Promise<void> {
  const { flags } = parseArgs(process.argv.slice(2));
  const replay = flags.get("replay");
  let source: MarketSource;
  if (replay !== undefined) source = await ReplaySource.load(replay, parseSpeed(flags.get("speed") ?? "1"));
  else {
    const symbolsFlag = flags.get("symbols") ?? "10";
    const symbols = /^\d+$/.test(symbolsFlag) ? Number(symbolsFlag) : symbolsFlag.split(",").map((s) => s.trim().toUpperCase());
    const rate = flags.get("rate") ?? "1000";
    source = new SyntheticSource({ symbols, tradesPerSecond: rate === "max" ? "max" : Number(rate), totalTrades: num(flags, "total"), seed: num(flags, "seed") });
  }
  const sim = await MarketSimulator.start({
    source,
    host: flags.get("host") ?? "127.0.0.1",
    port: num(flags, "port") ?? 0,
    pingIntervalMs: num(flags, "ping-ms"),
    maxLifetimeMs: num(flags, "lifetime-ms"),
    startOn: flags.get("start") === "now" ? "immediately" : flags.get("start") === "all" ? "all-subscribed" : "first-subscriber",
  });
  const streams = [...source.streams];
  console.log(`market simulator on ${sim.url} (${streams.length} streams)`);
  console.log(`  e.g. ${sim.url}/stream?streams=${streams.slice(0, 3).join("/")}`);
  void sim.whenEnded().then(() => console.log("source ended (connections stay open)"));
  const stop = async () => {
    await sim.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
