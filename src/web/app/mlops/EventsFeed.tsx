/** The latest MLOps events as one line each, newest first. */
import { formatClock } from "../format.js";
import { eventLine } from "./logic.js";
import type { MlopsEventView } from "./useMlops.js";

export function EventsFeed(props: { events: MlopsEventView[] }) {
  const lines = props.events.flatMap((e, i) => {
    const text = eventLine(e);
    return text === null ? [] : [{ key: `${i}-${e.type}`, at: typeof e.at === "number" ? e.at : Date.now(), text, type: e.type }];
  });
  if (lines.length === 0) return <div className="muted small">Waiting for training activity… (hunt checks run every 10 s, patrol every 5 min)</div>;
  return (
    <ul className="feed" data-testid="events">
      {lines.map((l) => (
        <li key={l.key}>
          <span className="when mono">{formatClock(l.at)}</span>
          <span className={l.type === "promoted" ? "up" : l.type.endsWith("failed") || l.type === "demoted" ? "down" : ""}>{l.text}</span>
        </li>
      ))}
    </ul>
  );
}
