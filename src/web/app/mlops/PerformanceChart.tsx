/** Live performance: realised RMSE of the live predictions vs the naive forecast, per time bucket (SVG, no chart library). */
import { formatPercent, formatPrice } from "../format.js";
import { Empty } from "../ui/States.js";
import { formatStamp, performanceSeries, polyline, skillTone } from "./logic.js";
import type { PerformanceView } from "./useMlops.js";

const W = 600;
const H = 170;

export function PerformanceChart(props: { view: PerformanceView }) {
  const series = performanceSeries(props.view.points);
  if (series.length === 0) return <Empty title="No scored predictions yet">Each bar's prediction is scored once the next bar closes.</Empty>;
  const yMax = Math.max(...series.flatMap((s) => [s.rmse, s.rmseNaive])) * 1.1;
  const last = series[series.length - 1]!;
  const skill = last.rmseNaive > 0 ? 1 - last.rmse / last.rmseNaive : null;
  return (
    <div data-testid="performance">
      <svg className="perf-svg" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label="realised RMSE of the live model vs naive">
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} className="grid" x1={0} x2={W} y1={H * f} y2={H * f} />
        ))}
        <polyline className="naive" points={polyline(series.map((s) => s.rmseNaive), W, H, yMax)} />
        <polyline className="model" points={polyline(series.map((s) => s.rmse), W, H, yMax)} />
      </svg>
      <div className="legend">
        <span>
          <span className="swatch pred" /> live model
        </span>
        <span>
          <span className="swatch" style={{ background: "#94a3b8" }} /> naive
        </span>
        <span>
          latest bucket {formatStamp(last.bucket)}: RMSE {formatPrice(last.rmse, 6)} vs {formatPrice(last.rmseNaive, 6)} ·{" "}
          <span className={skillTone(skill)}>skill {formatPercent(skill)}</span> · {last.versions.join(", ")}
        </span>
      </div>
      {props.view.byVersion.length > 0 && (
        <table className="table" style={{ marginTop: 10 }}>
          <thead>
            <tr>
              <th>Version (gold model_performance)</th>
              <th className="num">Predictions</th>
              <th className="num">RMSE</th>
              <th className="num">Naive RMSE</th>
              <th className="num">Skill</th>
            </tr>
          </thead>
          <tbody>
            {props.view.byVersion.map((v) => (
              <tr key={v.modelVersion}>
                <td className="mono">{v.modelVersion}</td>
                <td className="num">{v.predictions}</td>
                <td className="num mono">{formatPrice(v.rmse, 6)}</td>
                <td className="num mono">{formatPrice(v.rmseNaive, 6)}</td>
                <td className={`num ${skillTone(v.skill)}`}>{formatPercent(v.skill)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
