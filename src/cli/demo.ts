/**
 * npm run demo [-- --symbols 5 --rate 200 <any npm start flag>]
 * The whole platform on a synthetic market: a Binance-compatible simulator on a free local port,
 * and one node with every role reading it. Nothing else needed (NATS: see npm start).
 */
import { loadConfig, ConfigError, describeConfig } from "../config/index.js";
import { createNodeLogger, runNode, untilSignal } from "../node/run.js";
import { ExitBackstop } from "../node/exit-backstop.js";
import { MarketSimulator } from "../simulator/server.js";
import { SyntheticSource } from "../simulator/synthetic-source.js";

function takeFlag(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  if (value === undefined) throw new ConfigError(`--${name} needs a value`);
  argv.splice(i, 2);
  return value;
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const symbolCount = Number(takeFlag(argv, "symbols", "5"));
  const rate = Number(takeFlag(argv, "rate", "200"));
  if (!Number.isInteger(symbolCount) || symbolCount < 1) throw new ConfigError("--symbols must be a positive integer");
  if (!Number.isFinite(rate) || rate <= 0) throw new ConfigError("--rate must be a positive number of trades per second");
  // Ids keep growing across demo restarts, so the log's de-duplication never mistakes new trades for old.
  const source = new SyntheticSource({ symbols: symbolCount, tradesPerSecond: rate, startId: Date.now() * 100 });
  const simulator = await MarketSimulator.start({ source, host: "127.0.0.1", port: 0, startOn: "immediately" });
  const symbols = [...source.streams].map((s) => s.split("@")[0]!.toUpperCase());
  const config = loadConfig(argv, { ...process.env, BINANCE_WS_URL: simulator.url, SYMBOLS: symbols.join(",") });
  const logging = createNodeLogger(config);
  const { log } = logging;
  log.info(`demo: synthetic market of ${symbols.length} symbols at ${rate} trades/s on ${simulator.url}`);
  for (const line of describeConfig(argv, { ...process.env, BINANCE_WS_URL: simulator.url, SYMBOLS: symbols.join(",") })) log.info(`config ${line}`);
  // Listening before the start, as npm start does (src/node/serve.ts): a signal during it is no default kill.
  const signalled = untilSignal(log).then(() => new ExitBackstop(log, config.shutdownTimeoutMs));
  const running = await runNode(config, logging);
  log.info(`demo running: dashboard on http://${config.web.host}:${config.web.port}, admin: npm run admin -- status`);
  const backstop = await signalled;
  const { exitCode } = await running.stop();
  await simulator.close();
  backstop.finished();
  return exitCode;
}

try {
  process.exitCode = await main();
} catch (err) {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exitCode = 2;
}
