import { formatClock, formatPrice, formatQuantity } from "../format.js";
import type { RecentTrade } from "./useLiveMarket.js";

/** The latest trades (one per tick), newest first. */
export function TradeTape(props: { trades: RecentTrade[]; decimals: number }) {
  if (props.trades.length === 0) return <div className="muted small pad">Waiting for trades…</div>;
  return (
    <table className="tape">
      <thead>
        <tr>
          <th>Time</th>
          <th className="num">Price</th>
          <th className="num">Qty</th>
        </tr>
      </thead>
      <tbody>
        {props.trades.slice(0, 18).map((t) => (
          <tr key={t.tradeId}>
            <td className="muted">{formatClock(t.tradeTime)}</td>
            <td className={`num ${t.side > 0 ? "up" : t.side < 0 ? "down" : ""}`}>{formatPrice(t.price, props.decimals)}</td>
            <td className="num muted">{formatQuantity(t.quantity)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
