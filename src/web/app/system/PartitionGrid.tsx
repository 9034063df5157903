import { nodeColor } from "./colors.js";

/** One cell per partition, coloured by its owner; grey when unowned. */
export function PartitionGrid(props: { owners: (string | null)[]; nodes: string[] }) {
  const { owners, nodes } = props;
  const counts = new Map<string, number>();
  for (const o of owners) if (o !== null) counts.set(o, (counts.get(o) ?? 0) + 1);
  const unowned = owners.filter((o) => o === null).length;
  return (
    <div>
      <div className="grid32" data-testid="partition-grid">
        {owners.map((o, i) => (
          <div key={i} className="cell" title={`partition ${i}: ${o ?? "unowned"}`} style={{ background: o === null ? undefined : nodeColor(o, nodes) }}>
            {i}
          </div>
        ))}
      </div>
      <div className="grid-legend">
        {[...counts].map(([node, n]) => (
          <span key={node}>
            <span className="swatch" style={{ background: nodeColor(node, nodes) }} /> {node} <span className="muted">· {n}</span>
          </span>
        ))}
        {unowned > 0 && (
          <span>
            <span className="swatch unowned" /> unowned <span className="muted">· {unowned}</span>
          </span>
        )}
      </div>
    </div>
  );
}
