/** Per-symbol leaderboard: the latest run of each algorithm on its held-out window, with naive as the bar to beat. */
import { formatNumber, formatPercent, formatPrice } from "../format.js";
import { Empty } from "../ui/States.js";
import { DataTable, numeric } from "../ui/Table.js";
import { ScoreCells } from "./ScoreCells.js";
import type { LeaderboardRow } from "./useMlops.js";

export function Leaderboard(props: { rows: LeaderboardRow[]; championAlgorithm: string | null }) {
  const naive = props.rows.find((r) => r.rmseNaive !== null)?.rmseNaive ?? null;
  if (props.rows.length === 0) return <Empty title="No runs yet">The watcher trains once the symbol has enough silver rows.</Empty>;
  return (
    <DataTable className="table" testId="leaderboard" headings={["#", "Model", numeric("RMSE"), numeric("Skill vs naive"), numeric("DM stat"), numeric("R²"), numeric("Direction"), numeric("Test rows")]}>
      {props.rows.map((r, i) => (
        <tr key={r.algorithm} className={r.algorithm === props.championAlgorithm ? "champion" : ""}>
          <td className="muted">{i + 1}</td>
          <td>
            {r.algorithm}
            {r.algorithm === props.championAlgorithm && <span className="tag" style={{ marginLeft: 8 }}>champion kind</span>}
          </td>
          <ScoreCells scores={r} />
          <td className="num">{formatPercent(r.directionalAccuracy, 1)}</td>
          <td className="num">{formatNumber(r.testRows, 0)}</td>
        </tr>
      ))}
      <tr className="naive">
        <td />
        <td>naive (next = last)</td>
        <td className="num mono">{formatPrice(naive, 6)}</td>
        <td className="num">0.00%</td>
        <td className="num">—</td>
        <td className="num">—</td>
        <td className="num">50.0%</td>
        <td />
      </tr>
    </DataTable>
  );
}
