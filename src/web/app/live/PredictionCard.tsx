import { formatClock, formatDuration, formatPercent, formatPrice } from "../format.js";
import type { BarView } from "../trpc.js";
import type { PredictionView } from "./state.js";

/** The model's call for the next bar, its band, and how the previous call did. */
export function PredictionCard(props: { prediction: PredictionView | null; last: number | null; bars: BarView[]; decimals: number }) {
  const { prediction, last, bars, decimals } = props;
  if (prediction === null) {
    return (
      <div className="card">
        <div className="card-title">Next-bar prediction</div>
        <div className="muted small">No prediction yet: the model warms up on the first 10 bars.</div>
      </div>
    );
  }
  const delta = last === null ? null : (prediction.value - last) / last;
  const latest = bars[bars.length - 1];
  const previous = bars[bars.length - 2];
  const lastError = latest !== undefined && previous?.prediction != null ? Math.abs(latest.close - previous.prediction) : null;
  return (
    <div className="card">
      <div className="card-title">Next-bar prediction</div>
      <div className="pred-value" data-testid="prediction">
        {formatPrice(prediction.value, decimals)}
      </div>
      <div className={`small ${delta !== null && delta >= 0 ? "up" : "down"}`}>{formatPercent(delta, 3)} vs last price</div>
      <dl className="facts">
        <dt>Band (± bar σ)</dt>
        <dd>
          {formatPrice(prediction.low, decimals)} – {formatPrice(prediction.high, decimals)}
        </dd>
        <dt>Last call's error</dt>
        <dd>{lastError === null ? "—" : formatPrice(lastError, decimals)}</dd>
        <dt>Bar closed</dt>
        <dd>{formatClock(prediction.windowEnd)}</dd>
        <dt>Trade → prediction</dt>
        <dd>{formatDuration(latest?.latencyMs ?? null)}</dd>
        <dt>Model</dt>
        <dd className="mono">{prediction.modelVersion ?? "—"}</dd>
      </dl>
    </div>
  );
}
