/**
 * Candlesticks with volume (lightweight-charts v5), the predicted next-bar close drawn one slot
 * ahead of the last candle with its band, and the latest trades as markers at their prices.
 */
import { useEffect, useRef } from "react";
import {
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  HistogramSeries,
  LineSeries,
  LineStyle,
  TickMarkType,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import { formatPrice } from "../format.js";
import type { CandleView } from "../trpc.js";
import type { PredictionView } from "./state.js";
import type { RecentTrade } from "./useLiveMarket.js";

const UP = "#22c55e";
const DOWN = "#ef4444";
const PRED = "#f5a524";
const VISIBLE_CANDLES = 72;
/** Future slots the prediction is held over, so it reads as a forecast zone, not a dot. */
const AHEAD_SLOTS = 4;

interface Series {
  chart: IChartApi;
  candles: ISeriesApi<"Candlestick">;
  volume: ISeriesApi<"Histogram">;
  pred: ISeriesApi<"Line">;
  upper: ISeriesApi<"Line">;
  lower: ISeriesApi<"Line">;
  markers: ISeriesMarkersPluginApi<Time>;
}

const sec = (ms: number) => Math.floor(ms / 1000) as UTCTimestamp;

function localTick(t: Time, type: TickMarkType): string {
  const d = new Date((t as number) * 1000);
  if (type === TickMarkType.Year) return String(d.getFullYear());
  if (type === TickMarkType.Month || type === TickMarkType.DayOfMonth) return d.toLocaleDateString([], { month: "short", day: "numeric" });
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

function build(el: HTMLElement): Series {
  const chart = createChart(el, {
    autoSize: true,
    layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: "#8b95a7", fontFamily: "Inter, system-ui, sans-serif", attributionLogo: false },
    grid: { vertLines: { color: "rgba(148,163,184,0.06)" }, horzLines: { color: "rgba(148,163,184,0.06)" } },
    crosshair: { mode: CrosshairMode.Normal },
    rightPriceScale: { borderColor: "rgba(148,163,184,0.15)", scaleMargins: { top: 0.08, bottom: 0.24 } },
    timeScale: { borderColor: "rgba(148,163,184,0.15)", timeVisible: true, secondsVisible: false, rightOffset: 4, tickMarkFormatter: localTick },
    // Candle times are UTC instants; show them in the viewer's time zone like the rest of the page.
    localization: { timeFormatter: (t: Time) => new Date((t as number) * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) },
  });
  const candles = chart.addSeries(CandlestickSeries, { upColor: UP, downColor: DOWN, borderVisible: false, wickUpColor: UP, wickDownColor: DOWN });
  const volume = chart.addSeries(HistogramSeries, { priceScaleId: "volume", priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
  const line = { lineWidth: 2 as const, priceLineVisible: false, crosshairMarkerVisible: false };
  const pred = chart.addSeries(LineSeries, { ...line, color: PRED, lineStyle: LineStyle.Dashed, lastValueVisible: true, title: "Pred" });
  const band = { ...line, lineWidth: 1 as const, color: "rgba(245,165,36,0.45)", lineStyle: LineStyle.Dotted, lastValueVisible: false };
  const upper = chart.addSeries(LineSeries, band);
  const lower = chart.addSeries(LineSeries, band);
  const markers = createSeriesMarkers(candles, []);
  return { chart, candles, volume, pred, upper, lower, markers };
}

export function PriceChart(props: { candles: CandleView[]; decimals: number; prediction: PredictionView | null; recent: RecentTrade[] }) {
  const { candles, decimals, prediction, recent } = props;
  const el = useRef<HTMLDivElement>(null);
  const series = useRef<Series | null>(null);
  const shown = useRef<{ first: number; length: number }>({ first: 0, length: 0 });

  useEffect(() => {
    series.current = build(el.current!);
    return () => {
      series.current?.chart.remove();
      series.current = null;
    };
  }, []);

  useEffect(() => {
    const s = series.current!;
    const format = { type: "price" as const, precision: decimals, minMove: 10 ** -decimals };
    for (const x of [s.candles, s.pred, s.upper, s.lower]) x.applyOptions({ priceFormat: format });
    s.chart.applyOptions({ localization: { priceFormatter: (p: number) => formatPrice(p, decimals) } });
  }, [decimals]);

  useEffect(() => {
    const s = series.current!;
    const last = candles[candles.length - 1];
    const vol = (c: CandleView) => ({ time: sec(c.openTime), value: c.volume, color: c.close >= c.open ? "rgba(34,197,94,0.35)" : "rgba(239,68,68,0.35)" });
    const ohlc = (c: CandleView) => ({ time: sec(c.openTime), open: c.open, high: c.high, low: c.low, close: c.close });
    const prev = shown.current;
    // A tick changes only the newest candle (or appends one): update in place, else reload.
    if (last !== undefined && candles.length > 0 && candles[0]!.openTime === prev.first && (candles.length === prev.length || candles.length === prev.length + 1)) {
      s.candles.update(ohlc(last));
      s.volume.update(vol(last));
    } else {
      s.candles.setData(candles.map(ohlc));
      s.volume.setData(candles.map(vol));
      // First data: show the latest ~2 hours with room on the right for the prediction.
      if (prev.length === 0 && candles.length > 0) s.chart.timeScale().setVisibleLogicalRange({ from: candles.length - VISIBLE_CANDLES, to: candles.length + AHEAD_SLOTS + 2 });
    }
    shown.current = { first: candles[0]?.openTime ?? 0, length: candles.length };
  }, [candles]);

  useEffect(() => {
    const s = series.current!;
    const last = candles[candles.length - 1];
    if (prediction === null || last === undefined) {
      for (const x of [s.pred, s.upper, s.lower]) x.setData([]);
      return;
    }
    const from = sec(last.openTime);
    const slots = Array.from({ length: AHEAD_SLOTS }, (_, i) => sec(last.openTime + (i + 1) * 60_000));
    const path = (value: number) => [{ time: from, value: last.close }, ...slots.map((time) => ({ time, value }))];
    s.pred.setData(path(prediction.value));
    s.upper.setData(path(prediction.high));
    s.lower.setData(path(prediction.low));
  }, [prediction, candles]);

  useEffect(() => {
    const s = series.current!;
    const last = candles[candles.length - 1];
    if (last === undefined) return s.markers.setMarkers([]);
    const time = sec(last.openTime);
    const inCandle = recent.filter((t) => t.tradeTime >= last.openTime).slice(0, 12);
    s.markers.setMarkers(
      inCandle.reverse().map((t) => ({
        time,
        position: "atPriceMiddle" as const,
        price: t.price,
        shape: "circle" as const,
        size: 0.5,
        color: t.side < 0 ? DOWN : t.side > 0 ? UP : "#94a3b8",
      })),
    );
  }, [recent, candles]);

  return <div className="chart" ref={el} data-testid="price-chart" />;
}
