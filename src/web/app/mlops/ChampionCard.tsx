/**
 * The symbol's champion as nodes serve it (KV pointer), its history (promotions, demotions,
 * rollbacks; a demotion is marked), a guarded rollback, and its feature importances.
 */
import { formatPercent, formatPrice } from "../format.js";
import { Empty } from "../ui/States.js";
import { DataTable, numeric } from "../ui/Table.js";
import { formatStamp, historyChange, importanceBars } from "./logic.js";
import type { ChampionView } from "./useMlops.js";

export function ChampionCard(props: { view: ChampionView; onRollback: () => void; busy: boolean }) {
  const { pointer, history } = props.view;
  if (pointer === null) return <Empty title="No champion yet">Live predictions use the naive forecast (next = last) until a model beats it.</Empty>;
  return (
    <>
      {pointer.version === "naive" && (
        <div className="demotion" data-testid="demoted">
          <strong>Demoted.</strong> {pointer.previous[0]?.version ?? "The champion"} did significantly worse than the naive forecast on its live bars; the naive forecast (next = last) serves until a new model passes the promotion rule.
        </div>
      )}
      <dl className="facts" data-testid="champion">
        <dt>Version</dt>
        <dd className="mono">{pointer.version}</dd>
        <dt>Model</dt>
        <dd>{pointer.kind}</dd>
        <dt>{pointer.version === "naive" ? "Since" : "Promoted"}</dt>
        <dd>{formatStamp(pointer.promotedAt)}</dd>
        <dt>Why</dt>
        <dd className="small">{pointer.reason}</dd>
        <dt>Artifact</dt>
        <dd className="mono small">{pointer.artifact}</dd>
      </dl>
      <div className="panel-head">
        <div className="card-title">Champion history</div>
        <button className="btn danger" disabled={props.busy || pointer.previous.length === 0} onClick={props.onRollback} title={pointer.previous.length === 0 ? "no previous champion" : `restore ${pointer.previous[0]!.version}`}>
          Roll back{pointer.previous[0] ? ` to ${pointer.previous[0].version}` : ""}
        </button>
      </div>
      <DataTable className="table" headings={["When", "Change", "Version", "Model", numeric("RMSE"), numeric("Skill"), "Reason"]}>
        {history.map((h, i) => {
          const change = historyChange(h.action);
          return (
            <tr key={`${h.modelVersion}-${i}`} className={[i === 0 ? "champion" : "", change.className].filter(Boolean).join(" ")}>
              <td className="muted">{formatStamp(h.promotedAt)}</td>
              <td>{change.className ? <span className="badge demoted" data-testid="demoted-mark">{change.label}</span> : change.label}</td>
              <td className="mono">{h.modelVersion}</td>
              <td>{h.algorithm ?? ""}</td>
              <td className="num mono">{formatPrice(h.rmse, 6)}</td>
              <td className="num">{h.rmse !== null && h.rmseNaive ? formatPercent(1 - h.rmse / h.rmseNaive) : "—"}</td>
              <td className="small muted" title={h.reason}>{h.reason.length > 70 ? `${h.reason.slice(0, 70)}…` : h.reason}</td>
            </tr>
          );
        })}
      </DataTable>
    </>
  );
}

/** One bar per input column of the model: features that repeat another once scaled share one row ("lag_3 + momentum"). */
export function Importances(props: { groups: { features: string[]; importance: number }[] }) {
  if (props.groups.length === 0) return <div className="muted small">No importances recorded for the champion's run.</div>;
  return (
    <div data-testid="importances">
      {importanceBars(props.groups.map((g) => ({ feature: g.features.join(" + "), importance: g.importance }))).map((r) => (
        <div className="imp-row" key={r.feature}>
          <span className="mono">{r.feature}</span>
          <div className="imp-track">
            <div className="imp-fill" style={{ width: `${(r.width * 100).toFixed(1)}%` }} />
          </div>
          <span className="num">{formatPercent(r.importance, 1).replace("+", "")}</span>
        </div>
      ))}
    </div>
  );
}
