import { formatClock, formatPrice, formatQuantity } from "../format.js";
import { DataTable, numeric } from "../ui/Table.js";
import type { RecentTrade } from "./useLiveMarket.js";

/** The latest trades (one per tick), newest first. */
export function TradeTape(props: { trades: RecentTrade[]; decimals: number }) {
  if (props.trades.length === 0) return <div className="muted small pad">Waiting for trades…</div>;
  return (
    <DataTable className="tape" headings={["Time", numeric("Price"), numeric("Qty")]}>
      {props.trades.slice(0, 18).map((t) => (
        <tr key={t.tradeId}>
          <td className="muted">{formatClock(t.tradeTime)}</td>
          <td className={`num ${t.side > 0 ? "up" : t.side < 0 ? "down" : ""}`}>{formatPrice(t.price, props.decimals)}</td>
          <td className="num muted">{formatQuantity(t.quantity)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
