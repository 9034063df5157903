/** The held-out scores that the leaderboard and the runs table both show, as four table cells. */
import { formatNumber, formatPercent, formatPrice } from "../format.js";
import { skillTone } from "./logic.js";

export type Scores = { rmse: number | null; skill: number | null; dmStat: number | null; r2: number | null };

/** RMSE, skill against the naive forecast (coloured by its sign), the Diebold-Mariano statistic and R². */
export function ScoreCells(props: { scores: Scores }) {
  const s = props.scores;
  return (
    <>
      <td className="num mono">{formatPrice(s.rmse, 6)}</td>
      <td className={`num ${skillTone(s.skill)}`}>{formatPercent(s.skill)}</td>
      <td className="num">{formatNumber(s.dmStat)}</td>
      <td className="num">{formatNumber(s.r2, 4)}</td>
    </>
  );
}
