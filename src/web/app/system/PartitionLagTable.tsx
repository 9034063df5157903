import { formatNumber } from "../format.js";
import { Empty } from "../ui/States.js";
import { isStalled, type PartitionLagRow } from "./partition-lag.js";

/** Stalled partitions first, then the most lagging consumers: waiting in the stream, delivered and not yet durable, in mailboxes. */
export function PartitionLagTable(props: { rows: PartitionLagRow[]; limit: number }) {
  if (props.rows.length === 0) return <Empty title="No partition consumers reported" />;
  return (
    <table className="table" data-testid="partition-lag">
      <thead>
        <tr>
          <th>Partition</th>
          <th>Node</th>
          <th className="num" title="still in the stream for this consumer, as of its last delivery">Backlog</th>
          <th className="num" title="delivered, not yet covered by a snapshot (unacked)">Pending</th>
          <th className="num" title="delivered, not yet handled by the entity">In mailboxes</th>
          <th title="stalled: input waiting and no delivery, handled message or ack for PARTITION_STALL (see npm run admin -- status)">State</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.slice(0, props.limit).map((r) => (
          <tr key={`${r.node}/${r.region}/${r.partition}`} className={isStalled(r) ? "stalled" : undefined}>
            <td className="mono">
              {r.region}/p{r.partition}
            </td>
            <td className="muted">{r.node}</td>
            <td className="num">{formatNumber(r.backlog)}</td>
            <td className="num">{formatNumber(r.pending)}</td>
            <td className="num">{formatNumber(r.unhandled)}</td>
            <td>{isStalled(r) ? <span className="badge stalled">stalled {formatNumber(Math.round((r.stalledForMs ?? 0) / 1000))} s</span> : <span className="muted">moving</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
