/** Tables whose header row is a list of headings, so the `<thead>` markup is written once. */
import type { ReactNode } from "react";

/** A column's heading: plain text, or `numeric(label)` for a right-aligned column of figures. */
export type Heading = string | { label: string; numeric: true };

export function numeric(label: string): Heading {
  return { label, numeric: true };
}

export function TableHead(props: { headings: readonly Heading[] }) {
  return (
    <thead>
      <tr>
        {props.headings.map((h, i) =>
          typeof h === "string" ? (
            <th key={i}>{h}</th>
          ) : (
            <th key={i} className="num">
              {h.label}
            </th>
          ),
        )}
      </tr>
    </thead>
  );
}

/** A table with a header row of `headings`; the children are the body's rows. */
export function DataTable(props: { className: string; testId?: string; headings: readonly Heading[]; children: ReactNode }) {
  return (
    <table className={props.className} data-testid={props.testId}>
      <TableHead headings={props.headings} />
      <tbody>{props.children}</tbody>
    </table>
  );
}
