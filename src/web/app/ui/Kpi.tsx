import type { ReactNode } from "react";

/** One headline figure: label, value, optional sub-line; `tone` colours the value. */
export function Kpi(props: { label: string; value: ReactNode; sub?: ReactNode; tone?: "up" | "down" | "pred" | "muted"; testId?: string }) {
  return (
    <div className="kpi">
      <div className="kpi-label">{props.label}</div>
      <div className={`kpi-value ${props.tone ?? ""}`} data-testid={props.testId}>
        {props.value}
      </div>
      {props.sub !== undefined && <div className="kpi-sub">{props.sub}</div>}
    </div>
  );
}
