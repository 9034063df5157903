/** System health: nodes, partition ownership, actors and mailboxes, throughput and latency, live. */
import { useEffect, useState } from "react";
import { formatClock, formatDuration, formatNumber } from "../format.js";
import { errorText } from "../hooks.js";
import { trpc, type SystemSnapshot } from "../trpc.js";
import { Kpi } from "../ui/Kpi.js";
import { ErrorBanner, Empty, Spinner } from "../ui/States.js";
import { DataTable, numeric } from "../ui/Table.js";
import { nodeColor } from "./colors.js";
import { PartitionGrid } from "./PartitionGrid.js";
import { partitionLagRows, partitionLagTotals } from "./partition-lag.js";
import { PartitionLagTable } from "./PartitionLagTable.js";

function useSystem(): { snap: SystemSnapshot | null; error: string | null } {
  const [snap, setSnap] = useState<SystemSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const sub = trpc.system.status$.subscribe(undefined, {
      onData: (s) => {
        setSnap(s);
        setError(s.error);
      },
      onError: (err) => setError(errorText(err)),
    });
    return () => sub.unsubscribe();
  }, []);
  return { snap, error };
}

const ms = (v: number | null) => formatDuration(v);

export function SystemPage() {
  const { snap, error } = useSystem();
  if (snap === null) return error !== null ? <ErrorBanner>{error}</ErrorBanner> : <Spinner label="Waiting for the cluster's status…" />;
  const nodeIds = snap.nodes.map((n) => n.nodeId).sort();
  const view = [...snap.nodes].sort((a, b) => b.cluster.owners.filter((o) => o !== null).length - a.cluster.owners.filter((o) => o !== null).length)[0];
  const w = snap.web;
  const actors = snap.nodes.reduce((a, n) => a + n.actors.count, 0);
  const restarts = snap.nodes.reduce((a, n) => a + n.actors.restarts, 0);
  const mailbox = snap.nodes.reduce((a, n) => a + n.actors.mailboxDepthTotal, 0);
  const lagRows = partitionLagRows(snap.nodes);
  const lag = partitionLagTotals(lagRows);
  return (
    <div className="system">
      {error !== null && <ErrorBanner>Status provider: {error} (showing the last answer)</ErrorBanner>}
      <div className="kpis">
        <Kpi label="Nodes" value={formatNumber(snap.nodes.length)} sub={`updated ${formatClock(snap.at)}`} />
        <Kpi label="Actors" value={formatNumber(actors)} sub={`${formatNumber(restarts)} restarts`} tone={restarts > 0 ? undefined : "muted"} />
        <Kpi label="Mailbox depth" value={formatNumber(mailbox)} sub="all nodes" />
        <Kpi
          label="Partition lag"
          testId="partition-lag-total"
          value={formatNumber(lag.total)}
          sub={lag.stalled > 0 ? `${formatNumber(lag.stalled)} stalled` : lag.worst ? `worst ${lag.worst.region}/p${lag.worst.partition}: ${formatNumber(lag.worst.lag)}` : "no consumers"}
          tone={lag.stalled > 0 ? "down" : lag.total > 0 ? undefined : "muted"}
        />
        <Kpi label="Trades / s" value={formatNumber(w.tradesPerSecond, 1)} sub={`${formatNumber(w.ticksPerSecond, 1)} ticks/s`} />
        <Kpi label="Trade → prediction p50" value={ms(w.tradeToPredictionMs.p50)} sub={`p99 ${ms(w.tradeToPredictionMs.p99)} · n=${formatNumber(w.tradeToPredictionMs.count)}`} tone="pred" />
        <Kpi label="Trade → tick p50" value={ms(w.tradeToTickMs.p50)} sub={`p99 ${ms(w.tradeToTickMs.p99)} · n=${formatNumber(w.tradeToTickMs.count)}`} />
      </div>

      <div className="system-grid">
        <section className="panel">
          <div className="card-title">Nodes</div>
          {snap.nodes.length === 0 ? (
            <Empty title="No nodes reported" />
          ) : (
            <DataTable className="table" testId="nodes" headings={["Node", "Roles", "State", numeric("Uptime"), numeric("Partitions"), numeric("Actors"), numeric("Restarts"), numeric("Mailbox")]}>
              {snap.nodes.map((n) => (
                <tr key={n.nodeId}>
                  <td>
                    <span className="swatch" style={{ background: nodeColor(n.nodeId, nodeIds) }} /> <span className="mono">{n.nodeId}</span>
                    <div className="muted small">
                      {n.host} · pid {n.pid}
                    </div>
                  </td>
                  <td>{n.roles.map((r) => <span key={r} className="tag">{r}</span>)}</td>
                  <td>
                    <span className={`state ${n.state}`}>{n.state}</span>
                  </td>
                  <td className="num">{formatDuration(n.uptimeMs)}</td>
                  <td className="num">{n.cluster.owned.length}</td>
                  <td className="num">{formatNumber(n.actors.count)}</td>
                  <td className={`num ${n.actors.restarts > 0 ? "warn" : ""}`}>{formatNumber(n.actors.restarts)}</td>
                  <td className="num">{formatNumber(n.actors.mailboxDepthTotal)}</td>
                </tr>
              ))}
            </DataTable>
          )}
        </section>

        <section className="panel">
          <div className="card-title">Partition ownership{view ? ` (${view.cluster.partitionCount} partitions, as ${view.nodeId} sees it)` : ""}</div>
          {view ? <PartitionGrid owners={view.cluster.owners} nodes={nodeIds} /> : <Empty title="No cluster view" />}
        </section>

        <section className="panel">
          <div className="card-title">Partition lag (stalled first, then log messages not yet durable, most first)</div>
          <PartitionLagTable rows={lagRows} limit={8} />
        </section>

        <section className="panel">
          <div className="card-title">Deepest mailboxes</div>
          <table className="table">
            <tbody>
              {snap.nodes
                .flatMap((n) => n.actors.deepest.map((d) => ({ ...d, node: n.nodeId })))
                .sort((a, b) => b.depth - a.depth)
                .slice(0, 8)
                .map((d) => (
                  <tr key={`${d.node}${d.path}`}>
                    <td className="mono">{d.path}</td>
                    <td className="muted">{d.node}</td>
                    <td className="num">{formatNumber(d.depth)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>

        <section className="panel">
          <div className="card-title">Latency seen by this web server</div>
          <DataTable className="table" headings={["Path", numeric("p50"), numeric("p90"), numeric("p99"), numeric("max"), numeric("samples")]}>
            {(
              [
                ["Trade → prediction (silver)", w.tradeToPredictionMs],
                ["Trade → tick (web)", w.tradeToTickMs],
              ] as const
            ).map(([label, s]) => (
              <tr key={label}>
                <td>{label}</td>
                <td className="num">{ms(s.p50)}</td>
                <td className="num">{ms(s.p90)}</td>
                <td className="num">{ms(s.p99)}</td>
                <td className="num">{ms(s.max)}</td>
                <td className="num muted">{formatNumber(s.count)}</td>
              </tr>
            ))}
          </DataTable>
          <div className="muted small pad">
            {formatNumber(w.barsPerSecond * 60, 1)} bars/min · {formatNumber(w.subscribers)} open subscriptions
          </div>
        </section>
      </div>
    </div>
  );
}
