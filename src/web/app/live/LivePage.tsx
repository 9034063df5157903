/** Live market: symbol picker, KPIs, candlestick chart with prediction band, prediction card, trade tape. */
import { useEffect, useMemo, useState } from "react";
import { formatClock, formatDuration, formatNumber, formatPercent, formatPrice, priceDecimals } from "../format.js";
import { errorText, useNow } from "../hooks.js";
import { trpc } from "../trpc.js";
import { Kpi } from "../ui/Kpi.js";
import { Empty, ErrorBanner, Spinner } from "../ui/States.js";
import { SymbolPicker } from "../ui/SymbolPicker.js";
import { PredictionCard } from "./PredictionCard.js";
import { PriceChart } from "./PriceChart.js";
import { predictionOf, tradesPerSecond } from "./state.js";
import { TradeTape } from "./TradeTape.js";
import { useLiveMarket } from "./useLiveMarket.js";

function useSymbols(): { symbols: string[] | null; error: string | null } {
  const [symbols, setSymbols] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    trpc.market.symbols.query().then(setSymbols, (err: unknown) => setError(errorText(err)));
  }, []);
  return { symbols, error };
}

export function LivePage(props: { symbol: string | null; onSymbol: (s: string) => void }) {
  const { symbols, error: symbolsError } = useSymbols();
  const symbol = props.symbol ?? symbols?.[0] ?? null;
  const market = useLiveMarket(symbol);
  const now = useNow();
  // A symbol from the URL stays pickable even before it shows up in the list.
  const allSymbols = useMemo(() => [...new Set([...(symbols ?? []), ...(symbol === null ? [] : [symbol])])], [symbols, symbol]);

  const lastPrice = market.lastTick?.price ?? market.candles[market.candles.length - 1]?.close ?? null;
  const decimals = priceDecimals(lastPrice ?? 1);
  const lastBar = market.bars[market.bars.length - 1];
  const prediction = useMemo(() => predictionOf(lastBar), [lastBar]);
  const first = market.candles[0];
  const change = first !== undefined && lastPrice !== null ? (lastPrice - first.open) / first.open : null;
  // `now` only drives the once-a-second refresh; the rate is computed against the real clock.
  const tps = tradesPerSecond(market.tradeCounts, Math.max(now, Date.now()));
  const prevPrice = market.recent[1]?.price;
  const tickMove = lastPrice !== null && prevPrice !== undefined ? lastPrice - prevPrice : null;

  if (symbolsError !== null) return <ErrorBanner>Could not list symbols: {symbolsError}</ErrorBanner>;
  if (symbols === null) return <Spinner label="Loading symbols…" />;
  if (symbol === null)
    return (
      <Empty title="No market data yet">
        No symbol has published candles, bars or ticks. Start ingestion (or the demo simulator) and reload.
      </Empty>
    );

  return (
    <div className="live">
      <div className="toolbar">
        <SymbolPicker symbols={allSymbols} value={symbol} onChange={props.onSymbol} />
        <div className="muted small">1-minute candles · predictions on 30 s windows every 10 s</div>
      </div>

      {market.error !== null && <ErrorBanner>{market.error}</ErrorBanner>}

      <div className="kpis">
        <Kpi label={`${symbol} last price`} value={formatPrice(lastPrice, decimals)} testId="last-price" tone={change === null ? undefined : change >= 0 ? "up" : "down"} sub={tickMove === null ? "live" : `${tickMove > 0 ? "▲" : tickMove < 0 ? "▼" : "•"} ${formatPrice(Math.abs(tickMove), decimals)} vs previous tick`} />
        <Kpi label="Change (chart)" value={formatPercent(change)} tone={change === null ? "muted" : change >= 0 ? "up" : "down"} sub={first ? `since ${formatClock(first.openTime)}` : undefined} />
        <Kpi label="Predicted next close" value={formatPrice(prediction?.value, decimals)} tone="pred" sub={prediction ? `± ${formatPrice(prediction.high - prediction.value, decimals)}` : "warming up"} />
        <Kpi label="Volatility (bar σ)" value={formatPrice(lastBar?.volatility, decimals)} sub={lastBar && lastBar.close > 0 ? formatPercent(lastBar.volatility / lastBar.close, 3) : undefined} />
        <Kpi label="Trades / s" value={formatNumber(tps, 1)} sub="last 10 s" testId="trades-per-second" />
        <Kpi label="Model" value={<span className="mono">{lastBar?.modelVersion ?? "—"}</span>} sub={lastBar?.latencyMs != null ? `trade→prediction ${formatDuration(lastBar.latencyMs)}` : undefined} />
      </div>

      <div className="main-grid">
        <section className="panel chart-panel">
          {market.loading && market.candles.length === 0 ? (
            <Spinner label={`Loading ${symbol} history…`} />
          ) : market.candles.length === 0 ? (
            <Empty title={`No candles for ${symbol} yet`}>The chart fills in as trades arrive.</Empty>
          ) : null}
          <PriceChart candles={market.candles} decimals={decimals} prediction={prediction} recent={market.recent} />
          <div className="legend">
            <span className="swatch up" /> up <span className="swatch down" /> down <span className="swatch pred" /> prediction ± bar σ <span className="dot" /> latest trades
          </div>
        </section>
        <aside className="side">
          <PredictionCard prediction={prediction} last={lastPrice} bars={market.bars} decimals={decimals} />
          <div className="card tape-card">
            <div className="card-title">Recent trades</div>
            <TradeTape trades={market.recent} decimals={decimals} />
          </div>
        </aside>
      </div>
    </div>
  );
}
