/** The head of a card that runs an admin command over a range the operator picks: title, range picker, run button. */

export type RangeOption<R extends string> = { value: R; label: string };

export function RunCardHead<R extends string>(props: {
  title: string;
  /** The picker's accessible name (tests find it by this label). */
  rangeLabel: string;
  ranges: readonly RangeOption<R>[];
  range: R;
  onRange: (range: R) => void;
  runLabel: string;
  busyLabel: string;
  runTestId: string;
  busy: boolean;
  onRun: () => void;
}) {
  return (
    <div className="panel-head">
      <div className="card-title">{props.title}</div>
      <div className="filters">
        <select aria-label={props.rangeLabel} value={props.range} onChange={(e) => props.onRange(e.target.value as R)}>
          {props.ranges.map((r) => (
            <option key={r.value} value={r.value}>
              {r.label}
            </option>
          ))}
        </select>
        <button className="btn primary" onClick={props.onRun} disabled={props.busy} data-testid={props.runTestId}>
          {props.busy ? props.busyLabel : props.runLabel}
        </button>
      </div>
    </div>
  );
}
